package action

import (
	"context"

	"github.com/mailtriage/mailtriage/backend/block"
	"github.com/mailtriage/mailtriage/backend/remediate"
)

// Change is one change that is not a mailbox change — on a gateway, a
// report to the abuse desk, a file written, an event created — aimed at
// a target when it concerns messages (Target may be zero for gateway
// configuration).
type Change struct {
	Name   Name
	Target Target
	// Detail says what to whom, for the audit record ("policy 42
	// block evil.example").
	Detail string
}

// Run applies fn between an intent and a result audit record, after the
// role check. It is the only wrapper: screens and commands do not audit
// by hand.
func (l *Layer) Run(ctx context.Context, ch Change, fn func(ctx context.Context) error) error {
	svc, err := l.service()
	if err != nil {
		return err
	}
	t := ch.Target
	req := remediate.Request{Account: t.Account, Box: t.Box, Action: ch.Name, Folder: t.Folder, UIDs: t.UIDs}
	return svc.Audited(ctx, req, ch.Detail, fn)
}

// RunValue is Run for a change that returns a value.
func RunValue[T any](ctx context.Context, l *Layer, ch Change, fn func(ctx context.Context) (T, error)) (T, error) {
	var out T
	err := l.Run(ctx, ch, func(ctx context.Context) error {
		var err error
		out, err = fn(ctx)
		return err
	})
	return out, err
}

// Block applies a block plan on the gateways for the senders of target.
func (l *Layer) Block(ctx context.Context, gw block.Gateways, t Target, plan block.Plan) (block.Applied, error) {
	return RunValue(ctx, l, Change{Name: remediate.BlockSender, Target: t, Detail: plan.Summary()},
		func(ctx context.Context) (block.Applied, error) { return block.Apply(ctx, gw, plan) })
}

// Unblock removes exactly what a block added.
func (l *Layer) Unblock(ctx context.Context, gw block.Gateways, t Target, a block.Applied) error {
	return l.Run(ctx, Change{Name: remediate.UnblockSender, Target: t, Detail: "undo: " + a.Plan.Summary()},
		func(ctx context.Context) error { return block.Undo(ctx, gw, a) })
}
