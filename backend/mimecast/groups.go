package mimecast

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
)

// Directory (profile group) paths.
const (
	pathFindGroups    = "/api/directory/find-groups"
	pathCreateGroup   = "/api/directory/create-group"
	pathUpdateGroup   = "/api/directory/update-group"
	pathDeleteGroup   = "/api/directory/delete-group"
	pathGroupMembers  = "/api/directory/get-group-members"
	pathAddMember     = "/api/directory/add-group-member"
	pathRemoveMember  = "/api/directory/remove-group-member"
	codeMemberExists  = "err_folder_group_member_already_exists"
	maxMembersPerCall = 100 // the connector's documented limit per action
)

// Group is a profile group ("folder" on the wire).
type Group struct {
	ID          string `json:"id"`
	Description string `json:"description"` // the group's name
	Source      string `json:"source"`      // cloud | ldap
	ParentID    string `json:"parentId"`
	UserCount   int    `json:"userCount"`
	FolderCount int    `json:"folderCount"`
}

// GroupQuery filters FindGroups; the zero value finds all groups.
type GroupQuery struct {
	Query  string `json:"query,omitempty"`
	Source string `json:"source,omitempty"` // cloud | ldap
}

// FindGroups lists groups matching q.
func (c *Client) FindGroups(ctx context.Context, q GroupQuery, opts ListOptions) ([]Group, error) {
	if q.Source != "" && q.Source != "cloud" && q.Source != "ldap" {
		return nil, invalid("source", "%q is not cloud or ldap", q.Source)
	}
	var item any
	if q != (GroupQuery{}) {
		item = q
	}
	return list(ctx, c, pathFindGroups, item, opts, nested[Group]("folders"))
}

type groupItem struct {
	ID          string `json:"id,omitempty"`
	Description string `json:"description,omitempty"`
	ParentID    string `json:"parentId,omitempty"`
}

// CreateGroup creates a group under parentID ("" for the root). If the
// answer is lost, a group with the same name under the same parent is
// taken as the result rather than creating a second one.
func (c *Client) CreateGroup(ctx context.Context, name, parentID string) (Group, error) {
	if strings.TrimSpace(name) == "" {
		return Group{}, invalid("description", "required")
	}
	item := groupItem{Description: name, ParentID: parentID}
	send := func(ctx context.Context) (Group, error) {
		return one[Group](ctx, c, pathCreateGroup, item, writeCall)
	}
	verify := func(ctx context.Context) (Group, bool, error) {
		return c.findGroup(ctx, func(g Group) bool { return g.Description == name && g.ParentID == parentID }, name)
	}
	return applyOnce(ctx, c, send, verify)
}

func (c *Client) findGroup(ctx context.Context, match func(Group) bool, query string) (Group, bool, error) {
	all, err := c.FindGroups(ctx, GroupQuery{Query: query}, ListOptions{})
	if err != nil {
		return Group{}, false, err
	}
	i := slices.IndexFunc(all, match)
	if i < 0 {
		return Group{}, false, nil
	}
	return all[i], true, nil
}

// GroupUpdate names the group and the fields to change; empty fields stay.
type GroupUpdate struct {
	ID          string
	Description string
	ParentID    string
}

// UpdateGroup renames or moves a group. Setting the same values twice is
// harmless, so a lost answer is followed by a check and a resend.
func (c *Client) UpdateGroup(ctx context.Context, u GroupUpdate) (Group, error) {
	if u.ID == "" {
		return Group{}, invalid("group id", "required")
	}
	if u.Description == "" && u.ParentID == "" {
		return Group{}, invalid("group", "nothing to change")
	}
	item := groupItem(u)
	send := func(ctx context.Context) (Group, error) {
		return one[Group](ctx, c, pathUpdateGroup, item, writeCall)
	}
	verify := func(ctx context.Context) (Group, bool, error) {
		return c.findGroup(ctx, func(g Group) bool {
			return g.ID == u.ID && (u.Description == "" || g.Description == u.Description) &&
				(u.ParentID == "" || g.ParentID == u.ParentID)
		}, u.Description)
	}
	return applyOnce(ctx, c, send, verify)
}

// DeleteGroup deletes a group; like every delete it is resent after a lost
// answer, and "not found" on the resend counts as done.
func (c *Client) DeleteGroup(ctx context.Context, id string) error {
	if id == "" {
		return invalid("group id", "required")
	}
	return c.deleteByID(ctx, pathDeleteGroup, id)
}

// Member is one member of a group: an address or a whole domain.
type Member struct {
	EmailAddress string `json:"emailAddress,omitempty"`
	Domain       string `json:"domain,omitempty"`
	Name         string `json:"name,omitempty"`
	Type         string `json:"type,omitempty"`
	Internal     bool   `json:"internal"`
	Notes        string `json:"notes,omitempty"`
}

// GroupMembers lists a group's members.
func (c *Client) GroupMembers(ctx context.Context, groupID string, opts ListOptions) ([]Member, error) {
	if groupID == "" {
		return nil, invalid("group id", "required")
	}
	return list(ctx, c, pathGroupMembers, idItem{ID: groupID}, opts, nested[Member]("groupMembers"))
}

// MemberRef names a member to add or remove: exactly one of EmailAddress
// and Domain.
type MemberRef struct {
	EmailAddress string `json:"emailAddress,omitempty"`
	Domain       string `json:"domain,omitempty"`
	Notes        string `json:"notes,omitempty"`
}

// ParseMemberRef reads "user@example.com" as an address and "example.com"
// as a domain, as the connector's CSV fields do.
func ParseMemberRef(s string) MemberRef {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "@") {
		return MemberRef{EmailAddress: s}
	}
	return MemberRef{Domain: s}
}

func (m MemberRef) key() string { return strings.ToLower(m.EmailAddress + m.Domain) }

func (m MemberRef) check() error {
	switch {
	case (m.EmailAddress == "") == (m.Domain == ""):
		return invalid("member", "give exactly one of an address or a domain")
	case m.EmailAddress != "" && !looksLikeAddress(m.EmailAddress):
		return invalid("member", "%q is not an email address", m.EmailAddress)
	case m.Domain != "" && strings.ContainsAny(m.Domain, "@ "):
		return invalid("member", "%q is not a domain", m.Domain)
	}
	return nil
}

// MemberChange is the server's answer for one added or removed member.
type MemberChange struct {
	ID           string `json:"id"`       // the member's id
	GroupID      string `json:"folderId"` // the group's id
	EmailAddress string `json:"emailAddress,omitempty"`
	Domain       string `json:"domain,omitempty"`
	Internal     bool   `json:"internal"`
	// AlreadyMember is set when the server said the member was there
	// before; the group is as asked either way.
	AlreadyMember bool `json:"-"`
}

type memberItem struct {
	ID string `json:"id"`
	MemberRef
}

// AddGroupMembers adds members in calls of at most 100. A member that is
// already in the group is reported with AlreadyMember, not as an error.
// Other per-member failures come back together as one *APIError alongside
// the changes that did succeed. If a batch's answer is lost, the group is
// listed and only the members still missing are sent again.
func (c *Client) AddGroupMembers(ctx context.Context, groupID string, refs []MemberRef) ([]MemberChange, error) {
	if groupID == "" {
		return nil, invalid("group id", "required")
	}
	for _, r := range refs {
		if err := r.check(); err != nil {
			return nil, err
		}
	}
	var out []MemberChange
	var fails []Failure
	for batch := range slices.Chunk(refs, maxMembersPerCall) {
		done, failed, err := c.addBatch(ctx, groupID, batch)
		out = append(out, done...)
		fails = append(fails, failed...)
		if err != nil {
			return out, err
		}
	}
	if len(fails) > 0 {
		return out, &APIError{Path: pathAddMember, Failures: fails}
	}
	return out, nil
}

func (c *Client) addBatch(ctx context.Context, groupID string, batch []MemberRef) ([]MemberChange, []Failure, error) {
	type result struct {
		done  []MemberChange
		fails []Failure
	}
	pending := batch         // what the next send carries
	var found []MemberChange // members a check showed already in place
	send := func(ctx context.Context) (result, error) {
		d, f, err := c.sendMembers(ctx, pathAddMember, groupID, pending)
		return result{append(slices.Clone(found), d...), f}, err
	}
	verify := func(ctx context.Context) (result, bool, error) {
		missing, present, err := c.splitByMembership(ctx, groupID, batch)
		if err != nil {
			return result{}, false, err
		}
		pending, found = missing, present
		return result{done: present}, len(missing) == 0, nil
	}
	r, err := applyOnce(ctx, c, send, verify)
	return r.done, r.fails, err
}

// sendMembers sends one batch and splits per-item failures from successes.
func (c *Client) sendMembers(ctx context.Context, path, groupID string, refs []MemberRef) ([]MemberChange, []Failure, error) {
	items := make([]any, len(refs))
	for i, r := range refs {
		items[i] = memberItem{ID: groupID, MemberRef: r}
	}
	resp, err := c.call(ctx, path, items, nil, writeCall)
	var ae *APIError
	if err != nil && !errors.As(err, &ae) {
		return nil, nil, err
	}
	done := decodeChanges(resp.Data)
	return append(done, alreadyMembers(resp.Fail, groupID)...), withoutCode(resp.Fail, codeMemberExists), nil
}

func decodeChanges(raw []json.RawMessage) []MemberChange {
	out := make([]MemberChange, 0, len(raw))
	for _, r := range raw {
		var mc MemberChange
		if json.Unmarshal(r, &mc) == nil {
			out = append(out, mc)
		}
	}
	return out
}

func alreadyMembers(fails []Failure, groupID string) []MemberChange {
	var out []MemberChange
	for _, f := range fails {
		if !failHas(f, codeMemberExists) {
			continue
		}
		var ref MemberRef
		_ = json.Unmarshal(f.Key, &ref)
		out = append(out, MemberChange{GroupID: groupID, EmailAddress: ref.EmailAddress, Domain: ref.Domain, AlreadyMember: true})
	}
	return out
}

func withoutCode(fails []Failure, code string) []Failure {
	return slices.DeleteFunc(slices.Clone(fails), func(f Failure) bool { return failHas(f, code) })
}

func failHas(f Failure, code string) bool {
	return slices.ContainsFunc(f.Errors, func(e FailError) bool { return e.Code == code })
}

// splitByMembership lists the group and sorts refs into those still
// missing and those present.
func (c *Client) splitByMembership(ctx context.Context, groupID string, refs []MemberRef) ([]MemberRef, []MemberChange, error) {
	members, err := c.GroupMembers(ctx, groupID, ListOptions{})
	if err != nil {
		return nil, nil, err
	}
	have := map[string]bool{}
	for _, m := range members {
		have[strings.ToLower(m.EmailAddress+m.Domain)] = true
	}
	var missing []MemberRef
	var present []MemberChange
	for _, r := range refs {
		if have[r.key()] {
			present = append(present, MemberChange{GroupID: groupID, EmailAddress: r.EmailAddress, Domain: r.Domain})
		} else {
			missing = append(missing, r)
		}
	}
	return missing, present, nil
}

// RemoveGroupMember removes one member. If the answer is lost, the group
// is listed: a member no longer there is a success.
func (c *Client) RemoveGroupMember(ctx context.Context, groupID string, ref MemberRef) (MemberChange, error) {
	if groupID == "" {
		return MemberChange{}, invalid("group id", "required")
	}
	if err := ref.check(); err != nil {
		return MemberChange{}, err
	}
	item := memberItem{ID: groupID, MemberRef: ref}
	send := func(ctx context.Context) (MemberChange, error) {
		return one[MemberChange](ctx, c, pathRemoveMember, item, writeCall)
	}
	verify := func(ctx context.Context) (MemberChange, bool, error) {
		missing, _, err := c.splitByMembership(ctx, groupID, []MemberRef{ref})
		gone := MemberChange{GroupID: groupID, EmailAddress: ref.EmailAddress, Domain: ref.Domain}
		return gone, err == nil && len(missing) == 1, err
	}
	return applyOnce(ctx, c, send, verify)
}
