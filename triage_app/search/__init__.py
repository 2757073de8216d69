"""Search over a case: keyword packs and YARA, Arabic normalisation, identifiers, hash sets."""
