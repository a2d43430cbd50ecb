"""Program announcements (like CBP's CSMS messages): reviewers publish to every participant or to one
sector's, shown on home pages and e-mailed to the organisations' primary contacts through the outbox."""
