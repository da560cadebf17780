"""Item pipeline stages, one class per module, in the order settings.ITEM_PIPELINES gives:
validate -> normalize -> timestamps -> dedupe -> limit -> stories -> topics -> store."""
