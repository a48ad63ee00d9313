"""Extraction: a report's text → records (:mod:`.model`), one module per stage.

read → normalize → structure → sentences → coding · dates/timeline · counts ·
organizations · statistics → extract (the orchestration); curation applies an analyst's
sidecar to the records; evaluate scores records against gold annotations.
Nothing here knows of RDF, the store or what comes after.
"""
