"""电子证照: the licence service."""
