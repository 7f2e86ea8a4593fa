"""Reading: card files -> upright card images -> words with boxes (OpenCV, Tesseract, RapidOCR).

``loading`` (files, pages, EXIF) -> ``imaging`` (find, flatten, clean) -> ``orient`` (turn
upright) -> an engine from ``engines`` (``tesseract``, ``rapid``, ``recorded``); ``qr`` reads
QR codes. Nothing here is imported by this package's ``__init__``: the review app uses
``loading`` without pulling in OpenCV.
"""
