"""Real-world address strings and what the 2025 merger made of them (ADR 0020).

Each case gives the text (and split columns, as spreadsheets have them) and the expected result,
written by hand from public sources:

- provinces: Resolution 202/2025/QH15 of the National Assembly (12 June 2025), 63 -> 34;
- communes: the resolutions of the National Assembly Standing Committee on the arrangement of
  commune-level units of each province (16 June 2025; e.g. 1656/NQ-UBTVQH15 Hà Nội,
  1685/NQ-UBTVQH15 Hồ Chí Minh City, 1659/NQ-UBTVQH15 Đà Nẵng). The pre-2025 commune-by-commune
  answers were cross-checked against two independent data sets (vietnamadminunits 1.0.4 and
  vietnam-address-converter 1.0.5); cases where they disagree are left out.

``expect``: ``"resolved"`` (the one commune in ``wards``), ``"candidates"`` (refused, every
commune in ``wards`` among the candidates) or ``"refused"`` (refused with ``code``).
Names are the official 2025 names as vietnam-provinces spells them; ``province`` the 2025
province code.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    text: str
    expect: str
    wards: tuple[str, ...] = ()
    province: int | None = None
    legacy: bool = False
    code: str = ""
    columns: tuple[tuple[str, str], ...] = ()


def _columns(columns: dict[str, str] | None) -> tuple[tuple[str, str], ...]:
    return tuple((columns or {}).items())


def resolved(
    text: str,
    ward: str,
    province: int,
    *,
    legacy: bool = False,
    columns: dict[str, str] | None = None,
) -> Case:
    return Case(text, "resolved", (ward,), province, legacy, columns=_columns(columns))


def candidates(
    text: str, *wards: str, code: str = "", columns: dict[str, str] | None = None
) -> Case:
    return Case(text, "candidates", wards, code=code, columns=_columns(columns))


def refused(text: str, code: str) -> Case:
    return Case(text, "refused", code=code)


HCM, HN, DN = 79, 1, 48

CASES: tuple[Case, ...] = (
    # --- 2025 two-level form, abbreviations, missing or wrong accents -------------------------
    resolved("12 Lê Lợi, Phường Sài Gòn, TP. Hồ Chí Minh", "Phường Sài Gòn", HCM),
    resolved("25 Tràng Tiền, P. Hoàn Kiếm, Hà Nội", "Phường Hoàn Kiếm", HN),
    resolved("Số 8 Bạch Đằng, Phường Hải Châu, TP Đà Nẵng", "Phường Hải Châu", DN),
    resolved("Thôn 2, xã Bát Tràng, TP Hà Nội", "Xã Bát Tràng", HN),
    resolved("thon 2, xa bat trang, ha noi", "Xã Bát Tràng", HN),
    resolved("Phuong Ben Thanh, HCM", "Phường Bến Thành", HCM),
    resolved("45 Hai Bà Trưng, P.Tân Định, Tp Hồ Chí Minh", "Phường Tân Định", HCM),
    resolved("Xã Cẩm Giàng, Hải Phòng", "Xã Cẩm Giàng", 31),
    resolved("Đặc khu Phú Quốc, An Giang", "Đặc khu Phú Quốc", 91),
    resolved("Phường Vũng Tàu, TP.HCM", "Phường Vũng Tàu", HCM),
    resolved("Phường Thủ Dầu Một, Thành phố Hồ Chí Minh", "Phường Thủ Dầu Một", HCM),
    resolved("Phường Hội An, Đà Nẵng", "Phường Hội An", DN),
    resolved("10 Lý Thường Kiệt, Phường Buôn Ma Thuột, Daklak", "Phường Buôn Ma Thuột", 66),
    resolved("Phường Lâm Viên - Đà Lạt, Lâm Đồng", "Phường Lâm Viên - Đà Lạt", 68),
    resolved("Phường Văn Miếu - Quốc Tử Giám, HN", "Phường Văn Miếu - Quốc Tử Giám", HN),
    resolved("Phường Bãi Cháy, Quảng Ninh", "Phường Bãi Cháy", 22),
    resolved("Phường Ninh Kiều, Cần Thơ", "Phường Ninh Kiều", 92),
    resolved("Phường Thuận Hóa, Thành phố Huế", "Phường Thuận Hóa", 46),
    resolved("Phường Bến Thanh, Hồ Chí Minh", "Phường Bến Thành", HCM),
    resolved("Phường Sài Gòn", "Phường Sài Gòn", HCM),
    resolved("12 Lê Lợi P.Bến Thành TPHCM", "Phường Bến Thành", HCM),
    resolved("Phường Hà Giang 2, Tuyên Quang", "Phường Hà Giang 2", 8),
    resolved("Xã Thạnh An, TP. Cần Thơ", "Xã Thạnh An", 92),
    resolved("Phường Phú Lợi, TP.HCM", "Phường Phú Lợi", HCM),
    resolved("P. An Khánh, Thành phố Hồ Chí Minh, Việt Nam", "Phường An Khánh", HCM),
    resolved("Phường Hạnh Thông, TP.HCM, 700000", "Phường Hạnh Thông", HCM),
    resolved("Phường Xuân Hương Đà Lạt, Lâm Đồng", "Phường Xuân Hương - Đà Lạt", 68),
    candidates("xa cam giang, hai phong", "Xã Cẩm Giang", "Xã Cẩm Giàng"),
    candidates("Xã Tân Phú", "Xã Tân Phú"),
    candidates("Xã Thạnh An", "Xã Thạnh An"),
    # --- pre-2025 three-level form, one 2025 commune -------------------------------------------
    resolved("12 Lê Lợi, P. Bến Thành, Q.1, TP.HCM", "Phường Bến Thành", HCM, legacy=True),
    resolved("P. Bến Nghé, Q1, HCM", "Phường Sài Gòn", HCM, legacy=True),
    resolved("Phường Phạm Ngũ Lão, Quận 1, TPHCM", "Phường Bến Thành", HCM, legacy=True),
    resolved("45 Cô Giang, Phường Cô Giang, Quận 1", "Phường Cầu Ông Lãnh", HCM, legacy=True),
    resolved("Phường 1, Quận 3, TP HCM", "Phường Bàn Cờ", HCM, legacy=True),
    resolved(
        "Phường Võ Thị Sáu, Quận 3, Thành phố Hồ Chí Minh", "Phường Xuân Hòa", HCM, legacy=True
    ),
    resolved("Phường 14, Q3, HCM", "Phường Nhiêu Lộc", HCM, legacy=True),
    resolved(
        "123 Nguyễn Văn Hưởng, Phường Thảo Điền, Quận 2, TP.HCM",
        "Phường An Khánh",
        HCM,
        legacy=True,
    ),
    resolved("Phường Linh Trung, TP Thủ Đức, TP.HCM", "Phường Linh Xuân", HCM, legacy=True),
    resolved("Phường 12, Quận Gò Vấp, Tp.HCM", "Phường An Hội Tây", HCM, legacy=True),
    resolved("Xã Phước Kiển, Huyện Nhà Bè, TP.HCM", "Xã Nhà Bè", HCM, legacy=True),
    resolved("Thị trấn Củ Chi, H. Củ Chi, TPHCM", "Xã Tân An Hội", HCM, legacy=True),
    resolved("P.25, Q.Bình Thạnh, TP.HCM", "Phường Thạnh Mỹ Tây", HCM, legacy=True),
    resolved("Phường 2, Quận Tân Bình, TP.HCM", "Phường Tân Sơn Hòa", HCM, legacy=True),
    resolved("F11, Q5, HCM", "Phường Chợ Lớn", HCM, legacy=True),
    resolved("Phường Bến Nghé, TP.HCM", "Phường Sài Gòn", HCM, legacy=True),
    resolved(
        "Phường Phú Cường, TP Thủ Dầu Một, Bình Dương", "Phường Thủ Dầu Một", HCM, legacy=True
    ),
    resolved(
        "Xã Tân Thành, Huyện Bắc Tân Uyên, Tỉnh Bình Dương", "Xã Bắc Tân Uyên", HCM, legacy=True
    ),
    resolved("Phường Dĩ An, TP Dĩ An, Bình Dương", "Phường Dĩ An", HCM, legacy=True),
    resolved("Phường 1, TP Vũng Tàu, Bà Rịa - Vũng Tàu", "Phường Vũng Tàu", HCM, legacy=True),
    resolved("Thị trấn Ngãi Giao, Huyện Châu Đức, BR-VT", "Xã Ngãi Giao", HCM, legacy=True),
    resolved("Phường Thạch Thang, Quận Hải Châu, Đà Nẵng", "Phường Hải Châu", DN, legacy=True),
    resolved("Phường Mỹ An, Q. Ngũ Hành Sơn, TP Đà Nẵng", "Phường Ngũ Hành Sơn", DN, legacy=True),
    resolved("Phường An Hải Bắc, Quận Sơn Trà, Đà Nẵng", "Phường An Hải", DN, legacy=True),
    resolved("P. Hòa Khánh Bắc, Q. Liên Chiểu, Đà Nẵng", "Phường Liên Chiểu", DN, legacy=True),
    resolved(
        "36 Hàng Bạc, Phường Hàng Bạc, Quận Hoàn Kiếm, Hà Nội",
        "Phường Hoàn Kiếm",
        HN,
        legacy=True,
    ),
    resolved("Phường Bách Khoa, Quận Hai Bà Trưng, Hà Nội", "Phường Bạch Mai", HN, legacy=True),
    resolved("Thị trấn Phùng, Huyện Đan Phượng, TP Hà Nội", "Xã Đan Phượng", HN, legacy=True),
    resolved("Xã Tản Lĩnh, Huyện Ba Vì, Hà Nội", "Xã Suối Hai", HN, legacy=True),
    resolved("Phường Phú Hội, Quận Thuận Hóa, Thừa Thiên Huế", "Phường Thuận Hóa", 46, legacy=True),
    resolved("Phường Tân An, Quận Ninh Kiều, Cần Thơ", "Phường Ninh Kiều", 92, legacy=True),
    resolved("Phường 1, TP Vị Thanh, Hậu Giang", "Phường Vị Thanh", 92, legacy=True),
    resolved("Phường Trần Hưng Đạo, TP Hải Dương, Hải Dương", "Phường Hải Dương", 31, legacy=True),
    resolved("Phường Trần Phú, TP Bắc Giang, Bắc Giang", "Phường Bắc Giang", 24, legacy=True),
    resolved("Phường Vị Xuyên, TP Nam Định, Nam Định", "Phường Nam Định", 37, legacy=True),
    resolved("Phường 1, TP Đà Lạt, Lâm Đồng", "Phường Xuân Hương - Đà Lạt", 68, legacy=True),
    resolved("Phường Vĩnh Thanh Vân, TP Rạch Giá, Kiên Giang", "Phường Rạch Giá", 91, legacy=True),
    resolved(
        "Thị trấn Dương Đông, Huyện Phú Quốc, Kiên Giang", "Đặc khu Phú Quốc", 91, legacy=True
    ),
    resolved("Thị trấn Cam Đức, Huyện Cam Lâm, Khánh Hòa", "Xã Cam Lâm", 56, legacy=True),
    resolved("Thôn 3, Xã Ea Kao, TP Buôn Ma Thuột, Đắk Lắk", "Phường Ea Kao", 66, legacy=True),
    resolved("Phường Hưng Bình, TP Vinh, Nghệ An", "Phường Thành Vinh", 40, legacy=True),
    resolved("Phường Trường Sơn, TP Sầm Sơn, Thanh Hóa", "Phường Sầm Sơn", 38, legacy=True),
    resolved("Phường Minh Khai, TP Hà Giang, Hà Giang", "Phường Hà Giang 2", 8, legacy=True),
    resolved(
        "Thị trấn Mù Cang Chải, Huyện Mù Cang Chải, Yên Bái",
        "Xã Mù Cang Chải",
        15,
        legacy=True,
    ),
    resolved("Phường Liên Bảo, TP Vĩnh Yên, Vĩnh Phúc", "Phường Vĩnh Phúc", 25, legacy=True),
    resolved("Phường 1, TP Mỹ Tho, Tiền Giang", "Phường Mỹ Tho", 82, legacy=True),
    resolved("Phường 1, TP Sóc Trăng, Sóc Trăng", "Phường Phú Lợi", 92, legacy=True),
    resolved("Phường 1, TP Tuy Hòa, Phú Yên", "Phường Tuy Hòa", 66, legacy=True),
    resolved("Phường Sa Pa, Thị xã Sa Pa, Lào Cai", "Phường Sa Pa", 15, legacy=True),
    resolved("Phường Minh An, TP Hội An, Quảng Nam", "Phường Hội An", DN, legacy=True),
    # --- pre-2025 communes split between several 2025 communes: never guessed -----------------
    candidates("5 Đinh Tiên Hoàng, P. Đa Kao, Q.1, TP.HCM", "Phường Sài Gòn", "Phường Tân Định"),
    candidates("Phường Đa Kao, Hồ Chí Minh", "Phường Sài Gòn", "Phường Tân Định"),
    candidates("Phường Nguyễn Thái Bình, Quận 1, TP.HCM", "Phường Bến Thành", "Phường Sài Gòn"),
    candidates("Phường 4, Quận 3, TP.HCM", "Phường Bàn Cờ", "Phường Xuân Hòa"),
    candidates("Phường Tràng Tiền, Quận Hoàn Kiếm, Hà Nội", "Phường Hoàn Kiếm", "Phường Cửa Nam"),
    candidates(
        "Phường Kim Mã, Quận Ba Đình, Hà Nội",
        "Phường Ba Đình",
        "Phường Giảng Võ",
        "Phường Ngọc Hà",
    ),
    candidates("Phường Dịch Vọng Hậu, Quận Cầu Giấy, Hà Nội", "Phường Cầu Giấy", "Phường Nghĩa Đô"),
    candidates("Phường Bồ Đề, Quận Long Biên, Hà Nội", "Phường Bồ Đề", "Phường Hồng Hà"),
    candidates("Phường 1, TP.HCM", "Phường Bàn Cờ", "Phường Hạnh Thông"),
    # --- refusals ------------------------------------------------------------------------------
    candidates(
        "Phường Hoàn Kiếm, Đà Nẵng", "Phường Hoàn Kiếm", code="address_commune_not_in_province"
    ),
    refused("Phường Sài Gòn, Tỉnh Atlantis", "address_province_unknown"),
    refused("Xã Không Có Thật, Hà Nội", "address_commune_unknown"),
    # Merged into "Văn Miếu - Quốc Tử Giám" on 1 January 2025 (1286/NQ-UBTVQH15), before the
    # mapping's baseline: unknown, so refused rather than guessed.
    refused("Phường Quốc Tử Giám, Quận Đống Đa, Hà Nội", "address_commune_unknown"),
    # --- split columns ------------------------------------------------------------------------
    resolved(
        "12 Lê Lợi",
        "Phường Bến Thành",
        HCM,
        legacy=True,
        columns={"province": "TP.HCM", "district": "Quận 1", "commune": "Phường Bến Thành"},
    ),
    resolved(
        "Số 8 Hàng Bài",
        "Phường Hoàn Kiếm",
        HN,
        columns={"province": "Hà Nội", "commune": "P. Hoàn Kiếm"},
    ),
    resolved(
        "Thôn 3",
        "Xã Bắc Tân Uyên",
        HCM,
        legacy=True,
        columns={"province": "Bình Dương", "district": "Bắc Tân Uyên", "commune": "Tân Thành"},
    ),
    resolved(
        "12 Lê Lợi, P. Bến Thành, Q.1, TP.HCM",
        "Phường Bến Thành",
        HCM,
        legacy=True,
        columns={"province": "Hồ Chí Minh"},
    ),
    resolved(
        "",
        "Phường Hải Châu",
        DN,
        legacy=True,
        columns={
            "province": "Đà Nẵng",
            "district": "Quận Hải Châu",
            "commune": "Phường Thạch Thang",
        },
    ),
    resolved(
        "Ấp 3",
        "Phường Mỹ Tho",
        82,
        legacy=True,
        columns={"province": "Tiền Giang", "district": "TP Mỹ Tho", "commune": "Phường 1"},
    ),
    candidates(
        "1 Nguyễn Huệ",
        "Phường Sài Gòn",
        code="address_commune_not_in_province",
        columns={"province": "Hà Nội", "commune": "Phường Sài Gòn"},
    ),
    candidates(
        "",
        "Phường Sài Gòn",
        "Phường Tân Định",
        columns={"province": "TP. Hồ Chí Minh", "district": "Q.1", "commune": "Đa Kao"},
    ),
)


CORRECT = "correct"
SAFE_CANDIDATES = "unresolved, right commune among candidates"
SAFE_REFUSED = "unresolved, right commune not offered"
WRONG = "wrong"


def ward_code(name: str, province: int | None) -> set[int]:
    """vietnam-provinces codes of the commune spelled exactly ``name`` (in ``province``)."""
    from vietnam_provinces import Ward

    return {
        int(ward.code)
        for ward in Ward.iter_all()
        if " ".join(ward.name.split()) == name
        and (province is None or int(ward.province_code) == province)
    }


def judge(case: Case) -> str:
    """The outcome of resolving ``case``: one of the four constants above.

    WRONG is any answer that contradicts the expectation without saying so: a commune other
    than the expected one, a resolution where a refusal was expected, or a refusal of another
    kind than expected.
    """
    from logitrack.addresses import AddressUnresolved, address_resolve

    named = [ward_code(name, case.province) for name in case.wards]
    if not all(named):
        raise LookupError(f"a commune of {case.wards} is not a 2025 commune")
    expected = set().union(*named)
    try:
        result = address_resolve(case.text, **dict(case.columns))
    except AddressUnresolved as exc:
        offered = {candidate.ward_code for candidate in exc.candidates}
        each_offered = all(codes & offered for codes in named)
        if case.expect == "resolved":
            return SAFE_CANDIDATES if each_offered else SAFE_REFUSED
        if case.code and exc.code != case.code:
            return WRONG
        return CORRECT if each_offered else WRONG
    if case.expect != "resolved":
        return WRONG
    right = (
        {result.ward_code} == expected
        and result.province_code == case.province
        and (result.legacy_text is not None) == case.legacy
    )
    return CORRECT if right else WRONG
