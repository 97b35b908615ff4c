package fortimail

import "context"

// ListGreylist returns the greylist: the sender/recipient/IP triplets the
// appliance is currently deferring. The item fields were never documented,
// so entries come as they are sent.
func (c *Client) ListGreylist(ctx context.Context) ([]Entry, error) {
	return list[Entry](ctx, c, "list greylist", "AsGreylist/")
}

// ListAutoExemptGreylist returns the automatically exempted greylist
// entries (triplets that retried and are now let through at once).
func (c *Client) ListAutoExemptGreylist(ctx context.Context) ([]Entry, error) {
	return list[Entry](ctx, c, "list auto-exempt greylist", "AsGreylistAutoexempt/")
}
