package mail

// Unwrapper is a mailbox that wraps another one (a session's view of a
// shared mailbox, see package fanout): capabilities beyond Mailbox — a
// calendar, an address book — are looked up on the mailbox it wraps.
type Unwrapper interface {
	Unwrap() Mailbox
}

// As finds, in box or in the mailboxes it wraps, one that offers the
// capability T (an interface), as errors.As does for errors. Screens ask
// for what they need ("something that lists events"), never for a
// concrete backend type, so wrappers do not hide features.
func As[T any](box Mailbox) (T, bool) {
	for depth := 0; box != nil && depth < 8; depth++ {
		if t, ok := box.(T); ok {
			return t, true
		}
		u, ok := box.(Unwrapper)
		if !ok {
			break
		}
		box = u.Unwrap()
	}
	var zero T
	return zero, false
}
