package fortimail

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode"
)

// SessionList is one of a session profile's own lists. They apply only to
// traffic of the IP policies that use the profile.
type SessionList int

// Session profile lists.
const (
	SessionSenderSafeList SessionList = iota
	SessionSenderBlockList
	SessionRecipientSafeList
	SessionRecipientBlockList
)

// resource is the sub-resource name; the REST API kept the old
// whitelist/blacklist spelling after the GUI moved to safe/block list.
func (l SessionList) resource() string {
	switch l {
	case SessionSenderBlockList:
		return "ProfSessionSenderBlacklist"
	case SessionRecipientSafeList:
		return "ProfSessionRecipientWhitelist"
	case SessionRecipientBlockList:
		return "ProfSessionRecipientBlacklist"
	}
	return "ProfSessionSenderWhitelist"
}

func (l SessionList) String() string {
	switch l {
	case SessionSenderBlockList:
		return "sender block list"
	case SessionRecipientSafeList:
		return "recipient safe list"
	case SessionRecipientBlockList:
		return "recipient block list"
	}
	return "sender safe list"
}

func sessionListPath(profile string, l SessionList) string {
	return sessionPath(profile) + "/" + l.resource() + "/"
}

// SessionListEntries returns the entries (addresses, patterns such as
// *@example.com, or IP ranges) of one list of a session profile. With an
// *IncompleteError it returns the entries that were read.
func (c *Client) SessionListEntries(ctx context.Context, profile string, l SessionList) ([]string, error) {
	name := fmt.Sprintf("get %s of session profile %q", l, profile)
	items, err := list[Entry](ctx, c, name, sessionListPath(profile, l))
	if err != nil && !errors.Is(err, ErrIncomplete) {
		return nil, err
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, it.Key)
	}
	return out, err
}

// AddSessionListEntry adds one entry to a list of a session profile.
func (c *Client) AddSessionListEntry(ctx context.Context, profile string, l SessionList, entry string) error {
	name := fmt.Sprintf("add %q to %s of session profile %q", entry, l, profile)
	if err := checkEntry(entry); err != nil {
		return fmt.Errorf("fortimail: %s: %w", name, err)
	}
	return c.do(ctx, op{name: name, method: http.MethodPost, path: sessionListPath(profile, l) + seg(entry)}, nil)
}

// RemoveSessionListEntry removes one entry from a list of a session
// profile; a missing entry is ErrNotFound.
func (c *Client) RemoveSessionListEntry(ctx context.Context, profile string, l SessionList, entry string) error {
	name := fmt.Sprintf("remove %q from %s of session profile %q", entry, l, profile)
	if err := checkEntry(entry); err != nil {
		return fmt.Errorf("fortimail: %s: %w", name, err)
	}
	return remove(ctx, c, name, sessionListPath(profile, l)+seg(entry))
}

// checkEntry refuses entries the appliance would split or misread: list
// items travel comma-joined in SenderListV2, and an entry never holds
// spaces or control characters.
func checkEntry(e string) error {
	if e == "" {
		return fmt.Errorf("empty entry")
	}
	if strings.ContainsFunc(e, func(r rune) bool { return r == ',' || unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return fmt.Errorf("entry %q holds a comma, space or control character", e)
	}
	return nil
}
