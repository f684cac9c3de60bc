# Serbian (Latin). Cyrillic is generated from this file.
