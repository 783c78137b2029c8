"""Geofence pages: the list, the drawing form's refusals (with where), and the import form
naming each refused geofence; nothing stored on refusal."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from logitrack.core.testing import HttpsClient
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, sign_in
from logitrack.tracking.models import Geofence
from logitrack.tracking.views.geofences import area_label

pytestmark = pytest.mark.django_db

SQUARE = [[106.0, 10.0], [106.01, 10.0], [106.01, 10.01], [106.0, 10.01], [106.0, 10.0]]
BOW_TIE = [[106.0, 10.0], [106.01, 10.01], [106.01, 10.0], [106.0, 10.01], [106.0, 10.0]]


def _client(role: Role = Role.DISPATCHER) -> HttpsClient:
    client = HttpsClient()
    sign_in(client, make_member(make_tenant(), role))
    return client


def _form(geometry: object, **extra: str) -> dict[str, str]:
    return {
        "name": "Kho Tân Bình",
        "site_kind": "warehouse",
        "site_name": "",
        "geometry": json.dumps(geometry),
        "radius": "",
        **extra,
    }


def test_a_drawn_polygon_is_saved_and_listed_with_its_area() -> None:
    client = _client()

    response = client.post(
        "/operations/geofences/new/", _form({"type": "Polygon", "coordinates": [SQUARE]})
    )

    assert response.status_code == 302
    page = client.get("/operations/geofences/").content.decode()
    assert "Kho Tân Bình" in page
    assert "1.2 km²" in page or "1,2 km²" in page


def test_a_drawn_circle_keeps_its_radius() -> None:
    client = _client()

    client.post(
        "/operations/geofences/new/",
        _form({"type": "Point", "coordinates": [106.7, 10.8]}, radius="250.5"),
    )

    assert Geofence.dangerously_unscoped.get().radius_m == 250.5


def test_a_self_intersecting_drawing_is_refused_saying_where() -> None:
    client = _client()

    response = client.post(
        "/operations/geofences/new/", _form({"type": "Polygon", "coordinates": [BOW_TIE]})
    )

    assert response.status_code == 422
    assert "106.005" in response.content.decode()
    assert not Geofence.dangerously_unscoped.exists()


def test_nothing_drawn_is_refused() -> None:
    client = _client()

    response = client.post("/operations/geofences/new/", {**_form({}), "geometry": ""})

    assert response.status_code == 422
    assert not Geofence.dangerously_unscoped.exists()


def test_an_import_with_a_bad_geofence_lists_it_and_imports_nothing() -> None:
    client = _client()
    feature = {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [SQUARE]},
        "properties": {"name": "A"},
    }
    bad = {**feature, "geometry": {"type": "Polygon", "coordinates": [BOW_TIE]}}
    document = {"type": "FeatureCollection", "features": [feature, bad]}

    response = client.post(
        "/operations/geofences/import/",
        {"file": SimpleUploadedFile("a.json", json.dumps(document).encode())},
    )

    assert response.status_code == 422
    assert "data-import-problems" in response.content.decode()
    assert not Geofence.dangerously_unscoped.exists()


def test_areas_read_in_km2_from_a_tenth_and_in_m2_below() -> None:
    with translation.override("en"):
        assert area_label(1_210_400.0) == "1.2 km²"
    with translation.override("vi"):
        assert area_label(1_210_400.0) == "1,2 km²"
