package remediate

import (
	"fmt"
	"strings"
)

// Roles an operator can hold (the SSH server's [[serve.users]]).
const (
	// RoleViewer reads mail and gateway data and changes nothing.
	RoleViewer = "viewer"
	// RoleResponder acts on messages and blocks or permits senders and
	// URLs, but does not edit gateway policies, profiles or groups.
	RoleResponder = "responder"
	// RoleAdmin may do everything.
	RoleAdmin = "admin"
)

// Roles lists the roles, least privileged first.
var Roles = []string{RoleViewer, RoleResponder, RoleAdmin}

// RoleAllows reports whether role may run a, as an error that says who
// may not do what ("role viewer may not move messages"), or nil.
func RoleAllows(role string, a Action) error {
	switch role {
	case RoleAdmin:
		return nil
	case RoleResponder:
		if responderMay(a) {
			return nil
		}
	case RoleViewer:
	default:
		return fmt.Errorf("unknown role %q may not %s", role, a.Phrase())
	}
	return fmt.Errorf("role %s may not %s", role, a.Phrase())
}

func responderMay(a Action) bool { return responderActions[a] }

// Phrase words the action for a sentence: "move messages".
func (a Action) Phrase() string {
	switch a {
	case Move, Copy:
		return string(a) + " messages"
	case Trash:
		return "move messages to Trash"
	case Delete:
		return "delete messages permanently"
	case SoftDelete:
		return "mark messages deleted"
	case Restore:
		return "restore messages"
	case Read, Unread, Flag, Unflag:
		return "mark messages " + string(a)
	case Tag, Untag:
		return string(a) + " messages"
	case RevertFlags:
		return "undo flag changes"
	case RemoveCopies:
		return "undo copies"
	case Report:
		return "report messages"
	}
	if rest, ok := strings.CutPrefix(string(a), "mimecast-"); ok {
		return strings.ReplaceAll(rest, "-", " ") + " on Mimecast"
	}
	if rest, ok := strings.CutPrefix(string(a), "fortimail-"); ok {
		return strings.ReplaceAll(rest, "-", " ") + " on FortiMail"
	}
	return strings.ReplaceAll(string(a), "-", " ")
}

// Check asks Allow whether a may run, without doing anything: front ends
// call it before they show an action's effect, so a refused action never
// flickers on screen. Do and Audited check again.
func (s *Service) Check(a Action) error {
	if s == nil || s.Allow == nil {
		return nil
	}
	return s.Allow(a)
}
