"""Release decisions: identifiers (UEI, entry numbers), verification sampling and the pure rules engine."""
