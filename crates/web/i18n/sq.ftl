# Albanian.
