"""Public tracking of one waybill: the page at ``/t/<waybill>`` and ``GET /api/v1/track/{waybill}``.

Anyone holding a waybill number may see where its parcel is; nothing else. What a visitor sees
is decided in ``selectors`` (recipient's initials, destination province, a timeline whose
places are only provinces: the free text typed at a scan is never shown) and cached in ``cache``
under a version read by one indexed query, so an answer never outlives the event that changes
it (docs/adr/0024).
"""
