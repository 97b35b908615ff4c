package fortimail

import (
	"context"
	"fmt"
)

// ProfileType is a kind of profile whose names can be listed.
type ProfileType int

// Profile types.
const (
	SessionProfiles ProfileType = iota
	AntispamProfiles
)

func (t ProfileType) String() string {
	if t == AntispamProfiles {
		return "antispam"
	}
	return "session"
}

// ProfileNames lists the names of the system-level profiles of a type, for
// pickers. There is no dedicated call: it reads the profile collection.
func (c *Client) ProfileNames(ctx context.Context, t ProfileType) ([]string, error) {
	var items []ProfileSummary
	var err error
	switch t {
	case SessionProfiles:
		items, err = c.ListSessionProfiles(ctx)
	case AntispamProfiles:
		items, err = c.ListAntispamProfiles(ctx, System)
	default:
		return nil, fmt.Errorf("fortimail: profile names: unknown profile type %d", t)
	}
	if err != nil {
		return nil, err
	}
	names := make([]string, len(items))
	for i, it := range items {
		names[i] = it.Name
	}
	return names, nil
}
