"""Reports: court-ready exports of a case (CSV, KML/GeoJSON, HTML, PDF, CASE/UCO), hashed."""
