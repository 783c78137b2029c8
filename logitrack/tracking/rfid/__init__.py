"""RFID at dock doors: Zebra tag-data ingest, EPC decoding, de-duplication, shipment moves,
and the GS1 EPCIS 2.0 export."""
