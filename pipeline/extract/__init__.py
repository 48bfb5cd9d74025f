"""Extract stage: CleanDoc -> Record."""
