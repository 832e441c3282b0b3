"""A fake of the slice of `modal_proto` the app uses (the request message of ImageDelete)."""
