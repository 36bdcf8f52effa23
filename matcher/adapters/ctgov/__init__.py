"""ClinicalTrials.gov API v2: parsing, the live httpx client, the offline snapshot source."""
