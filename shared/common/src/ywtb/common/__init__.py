"""ywtb.common: the mechanisms every ywtb service shares, written once."""
