package mimecast

import (
	"context"
	"fmt"
)

// uncertainError wraps a write failure whose outcome is unknown.
type uncertainError struct{ err error }

func (e *uncertainError) Error() string {
	return e.err.Error() + " (" + ErrUncertain.Error() + ")"
}

func (e *uncertainError) Unwrap() []error { return []error{e.err, ErrUncertain} }

// applyOnce sends a write. When the answer leaves its outcome unknown (5xx,
// timeout, lost connection) it waits a back-off step, asks verify whether
// the change is in place, and sends again only if it is not. A nil verify
// means the outcome cannot be checked, and the error says so.
func applyOnce[T any](ctx context.Context, c *Client, send func(context.Context) (T, error), verify func(context.Context) (T, bool, error)) (T, error) {
	var zero T
	for attempt := 1; ; attempt++ {
		v, err := send(ctx)
		if err == nil || !transient(err) || notSent(err) || ctx.Err() != nil {
			return v, err
		}
		if verify == nil || attempt > c.opts.MaxRetries {
			return zero, &uncertainError{err}
		}
		if serr := c.opts.Sleep(ctx, c.backoff(attempt)); serr != nil {
			return zero, &uncertainError{fmt.Errorf("%w; stopped before checking: %v", err, serr)}
		}
		found, ok, verr := verify(ctx)
		if verr != nil {
			return zero, &uncertainError{fmt.Errorf("%w; checking whether it was applied failed: %v", err, verr)}
		}
		if ok {
			return found, nil
		}
	}
}
