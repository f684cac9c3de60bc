# Macedonian.
