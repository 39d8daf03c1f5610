"""Word forms shared by the catalog's reading of a message and the shop's rules (themes named in it)."""

from __future__ import annotations


def stem(word: str) -> str:
    """Plural folding only ("cameras" -> "camera", "batteries" -> "battery", "glasses" -> "glass", "tvs" -> "tv")."""
    if len(word) == 3 and word.endswith("s") and word[1] not in "aeiouy" and word.isalpha():
        return word[:2]
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word
