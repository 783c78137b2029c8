"""EPC decoding against the GS1 EPC Tag Data Standard's worked examples, every partition value
by round trip, and what is kept raw or refused."""

from __future__ import annotations

import pytest
from epcpy.epc_schemes.sgtin import SGTIN, SGTINFilterValue
from epcpy.epc_schemes.sscc import SSCC, SSCCFilterValue

from logitrack.logistics.numbers import sscc_check_digit
from logitrack.tracking.epc import DecodedEpc, EpcInvalid, decode_epc, raw_epc, sscc_96_hex
from logitrack.tracking.rfid.docks import sscc_of_urn


@pytest.mark.parametrize(
    ("epc_hex", "uri", "scheme"),
    [
        # TDS annex E.1: SGTIN-96, GTIN 80614141123458, serial 6789
        ("3074257BF7194E4000001A85", "urn:epc:id:sgtin:0614141.812345.6789", "sgtin"),
        # TDS annex E.3: SSCC-96, SSCC 106141412345678908
        ("3174257BF4499602D2000000", "urn:epc:id:sscc:0614141.1234567890", "sscc"),
        # TDS annex E.2: SGTIN-198, GTIN 70614141123451, alphanumeric serial "32a/b"
        (
            "3674257BF6B7A659B2C2BF100000000000000000000000000000",
            "urn:epc:id:sgtin:0614141.712345.32a%2Fb",
            "sgtin",
        ),
    ],
)
def test_the_standards_worked_examples_decode_to_their_pure_identity(
    epc_hex: str, uri: str, scheme: str
) -> None:
    assert decode_epc(epc_hex) == DecodedEpc(epc_hex=epc_hex, epc_uri=uri, scheme=scheme)
    assert decode_epc(epc_hex.lower()).epc_hex == epc_hex


@pytest.mark.parametrize("partition", range(7))
def test_every_sgtin_96_partition_round_trips(partition: int) -> None:
    company = "0614141234567"[: 12 - partition]
    item = "8123456"[: partition + 1]
    uri = f"urn:epc:id:sgtin:{company}.{item}.274877906943"  # the largest 38-bit serial
    epc_hex = SGTIN(uri).hex(
        binary_coding_scheme=SGTIN.BinaryCodingScheme.SGTIN_96,
        filter_value=SGTINFilterValue.POS_ITEM,
    )

    decoded = decode_epc(epc_hex)

    assert (int(epc_hex[2:4], 16) >> 2) & 0b111 == partition  # the partition bits (TDS 14.5.1)
    assert (decoded.epc_uri, decoded.scheme) == (uri, "sgtin")


@pytest.mark.parametrize("partition", range(7))
def test_every_sscc_96_partition_round_trips(partition: int) -> None:
    company = "0614141234567"[: 12 - partition]
    serial = "12345678901"[: 5 + partition]
    uri = f"urn:epc:id:sscc:{company}.{serial}"
    epc_hex = SSCC(uri).hex(filter_value=SSCCFilterValue.ALL_OTHERS)

    decoded = decode_epc(epc_hex)

    assert (int(epc_hex[2:4], 16) >> 2) & 0b111 == partition
    assert (decoded.epc_uri, decoded.scheme) == (uri, "sscc")


def test_other_gs1_schemes_decode_as_gs1() -> None:
    # GRAI-96 (TDS 14.6.4) of urn:epc:id:grai:0614141.12345.400, filter 0, partition 5
    decoded = decode_epc("3314257BF40C0E4000000190")

    assert (decoded.epc_uri, decoded.scheme) == ("urn:epc:id:grai:0614141.12345.400", "gs1")


@pytest.mark.parametrize(
    "epc_hex",
    [
        "E2801160600002054CC2096F",  # a TID-like id: no GS1 header
        "000000000000000000000001",  # header 0x00: not programmed
        "307C257BF7194E4000001A85",  # SGTIN-96 with partition value 7 (reserved)
        "AD0000000000000000000000001234567890ABCD",
    ],
)
def test_tags_that_are_not_gs1_encoded_are_kept_raw(epc_hex: str) -> None:
    assert decode_epc(epc_hex) == DecodedEpc(epc_hex=epc_hex, epc_uri="", scheme="raw")


@pytest.mark.parametrize(
    ("epc_hex", "code"),
    [
        ("3074257BF7194E4000001A8", "epc_invalid"),  # odd length
        ("3074257BF7194E4000001A8X", "epc_invalid"),
        ("0x74257BF7194E4000001A85", "epc_invalid"),
        (" 3074257BF7194E4000001A85", "epc_invalid"),
        ("30_4257BF7194E4000001A85", "epc_invalid"),
        ("3074257BF7194E40", "epc_invalid"),  # under 96 bits
        ("30" * 63, "epc_invalid"),  # over 496 bits
        ("3674257BF6B7A659B2C2BF10", "epc_truncated"),  # SGTIN-198 header, 96 bits
        ("", "epc_invalid"),
    ],
)
def test_hex_that_is_not_an_epc_bank_is_refused(epc_hex: str, code: str) -> None:
    with pytest.raises(EpcInvalid) as caught:
        decode_epc(epc_hex)

    assert caught.value.code == code


def test_a_raw_id_keeps_any_header() -> None:
    assert raw_epc("3074257bf7194e4000001a85") == DecodedEpc(
        epc_hex="3074257BF7194E4000001A85", epc_uri="", scheme="raw"
    )
    with pytest.raises(EpcInvalid):
        raw_epc("30742")


@pytest.mark.parametrize("prefix", ["893000", "8930000", "89300001", "893000012345"])
def test_an_sscc_encoded_as_sscc_96_decodes_back_to_the_same_18_digits(prefix: str) -> None:
    first_17 = ("3" + prefix + "4" * 16)[:17]
    sscc = first_17 + sscc_check_digit(first_17)

    decoded = decode_epc(sscc_96_hex(sscc, prefix))

    assert decoded.scheme == "sscc"
    assert decoded.epc_uri.startswith(f"urn:epc:id:sscc:{prefix}.3")
    assert sscc_of_urn(decoded.epc_uri) == sscc


@pytest.mark.parametrize(
    ("sscc", "prefix"),
    [("08930000000000012", "8930000"), ("089300000000000127", "8940000"), ("0893", "89")],
)
def test_an_sscc_without_its_company_prefix_is_not_encoded(sscc: str, prefix: str) -> None:
    with pytest.raises(ValueError, match="SSCC"):
        sscc_96_hex(sscc, prefix)
