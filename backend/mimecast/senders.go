package mimecast

import (
	"context"
	"slices"
	"strings"
)

const (
	pathPermitOrBlock = "/api/managedsender/permit-or-block-sender"
	// pathManagedSenders is not in the vendor reference (no list endpoint is
	// documented there); some clients call it. Against a tenant that lacks
	// it, ManagedSenders fails with *StatusError 404, and
	// block/permit fall back to reporting ErrUncertain after a lost answer.
	pathManagedSenders = "/api/managedsender/get-managed-senders"
)

// SenderAction is what a managed-sender entry does to mail from a sender.
type SenderAction string

// Managed-sender actions.
const (
	SenderBlock  SenderAction = "block"  // reject the sender's mail
	SenderPermit SenderAction = "permit" // bypass spam checks ("unblock")
)

// ManagedSender is one managed-sender entry.
type ManagedSender struct {
	ID     string `json:"id"`
	Sender string `json:"sender"`
	To     string `json:"to"`
	Type   string `json:"type"` // Block | Permit, as the server writes it
}

// Blocked reports whether the entry blocks (the server's casing varies).
func (m ManagedSender) Blocked() bool { return strings.EqualFold(m.Type, string(SenderBlock)) }

type senderItem struct {
	Sender string       `json:"sender"`
	To     string       `json:"to"`
	Action SenderAction `json:"action"`
}

// BlockSender blocks mail from sender to the internal recipient to.
func (c *Client) BlockSender(ctx context.Context, sender, to string) (ManagedSender, error) {
	return c.manageSender(ctx, senderItem{Sender: sender, To: to, Action: SenderBlock})
}

// PermitSender permits sender to reach to, which is how Mimecast
// "unblocks" a blocked sender.
func (c *Client) PermitSender(ctx context.Context, sender, to string) (ManagedSender, error) {
	return c.manageSender(ctx, senderItem{Sender: sender, To: to, Action: SenderPermit})
}

func (c *Client) manageSender(ctx context.Context, item senderItem) (ManagedSender, error) {
	if !looksLikeAddress(item.Sender) {
		return ManagedSender{}, invalid("sender", "%q is not an email address", item.Sender)
	}
	if !looksLikeAddress(item.To) {
		return ManagedSender{}, invalid("recipient", "%q is not an email address", item.To)
	}
	send := func(ctx context.Context) (ManagedSender, error) {
		return one[ManagedSender](ctx, c, pathPermitOrBlock, item, writeCall)
	}
	verify := func(ctx context.Context) (ManagedSender, bool, error) {
		all, err := c.ManagedSenders(ctx, ListOptions{})
		if err != nil {
			return ManagedSender{}, false, err
		}
		i := slices.IndexFunc(all, func(m ManagedSender) bool {
			return strings.EqualFold(m.Sender, item.Sender) && strings.EqualFold(m.To, item.To) &&
				strings.EqualFold(m.Type, string(item.Action))
		})
		if i < 0 {
			return ManagedSender{}, false, nil
		}
		return all[i], true, nil
	}
	return applyOnce(ctx, c, send, verify)
}

// ManagedSenders lists managed-sender entries. The endpoint is not in the
// vendor's reference (see pathManagedSenders); the emulator serves it.
func (c *Client) ManagedSenders(ctx context.Context, opts ListOptions) ([]ManagedSender, error) {
	return list(ctx, c, pathManagedSenders, nil, opts, direct[ManagedSender])
}
