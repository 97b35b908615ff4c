package action

import (
	"context"
	"strings"

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

// BlockSpec is one block of the senders of a target.
type BlockSpec struct {
	Gateways block.Gateways
	Target   Target
	Plan     block.Plan
	// Guard says what must never be blocked without the analyst's
	// explicit go-ahead; Confirm is what they typed for it (the domain
	// concerned).
	Guard   block.Guardrails
	Confirm string
}

// GuardError refuses a block the guardrails stop; it says why and what to
// type to go ahead.
type GuardError struct{ Concerns []block.Concern }

func (e *GuardError) Error() string {
	whys := make([]string, len(e.Concerns))
	for i, c := range e.Concerns {
		whys[i] = c.Why
	}
	return "not blocked: " + strings.Join(whys, "; ") + " (type the domain to block it anyway)"
}

// Block applies a block plan on the gateways for the senders of the
// target, unless a guardrail stops it and the analyst has not typed the
// domain concerned; an override is written into the audit record.
func (l *Layer) Block(ctx context.Context, b BlockSpec) (block.Applied, error) {
	detail := b.Plan.Summary()
	if concerns := b.Guard.Check(b.Plan); len(concerns) > 0 {
		if !block.Confirmed(concerns, b.Confirm) {
			return block.Applied{Plan: b.Plan}, &GuardError{Concerns: concerns}
		}
		detail += " — guardrail overridden by typing " + concerns[0].Domain + ": " + concerns[0].Why
	}
	gw := b.Gateways
	return RunValue(ctx, l, Change{Name: remediate.BlockSender, Target: b.Target, Detail: detail},
		func(ctx context.Context) (block.Applied, error) { return block.Apply(ctx, gw, b.Plan) })
}

// Unblock removes exactly what a block added.
func (l *Layer) Unblock(ctx context.Context, gw block.Gateways, t Target, a block.Applied) error {
	return l.Run(ctx, Change{Name: remediate.UnblockSender, Target: t, Detail: "undo: " + a.Plan.Summary()},
		func(ctx context.Context) error { return block.Undo(ctx, gw, a) })
}
