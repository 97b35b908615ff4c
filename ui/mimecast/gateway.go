package mimecast

import (
	"context"

	"github.com/mailtriage/mailtriage/backend/mimecast"
)

// The screen reaches Mimecast through Gateway, a set of small interfaces,
// one per pane, each naming what that pane asks of the API: a pane's
// code shows what it can do to the tenant, and the screen depends on no
// more of the client than it uses. *mimecast.Client is the Gateway the
// console runs with.
type Gateway interface {
	connection
	heldQueue
	archive
	messageTracking
	managedSenders
	groups
	auditLogs
	blockPolicies
	managedURLs
	tools
}

var _ Gateway = (*mimecast.Client)(nil)

// connection is what the status bar says of the link itself.
type connection interface {
	Auth() mimecast.AuthMode
	BaseURL() string
	RateLimit() mimecast.RateLimit
}

// heldQueue is the Held pane: list, release, reject.
type heldQueue interface {
	HeldMessages(ctx context.Context, q mimecast.HeldQuery, opts mimecast.ListOptions) ([]mimecast.HeldMessage, error)
	ReleaseHeld(ctx context.Context, id string) (mimecast.HeldResult, error)
	RejectHeld(ctx context.Context, spec mimecast.RejectSpec) ([]mimecast.HeldResult, error)
}

// archive is the archive search and the archived messages, read only.
type archive interface {
	SearchArchive(ctx context.Context, s mimecast.ArchiveSearch, opts mimecast.ListOptions) ([]mimecast.ArchiveHit, error)
	ArchiveMessages(ctx context.Context, q mimecast.MessageListQuery, opts mimecast.ListOptions) ([]mimecast.ArchiveMessage, error)
	ArchiveMessageDetail(ctx context.Context, id string) (mimecast.MessageDetail, error)
}

// messageTracking is message tracking and its detail, read only.
type messageTracking interface {
	SearchMessages(ctx context.Context, q mimecast.TrackingQuery, opts mimecast.ListOptions) ([]mimecast.TrackedMessage, error)
	MessageInfo(ctx context.Context, id string) (mimecast.MessageInfo, error)
}

// managedSenders is the Senders pane: the list, block and permit.
type managedSenders interface {
	ManagedSenders(ctx context.Context, opts mimecast.ListOptions) ([]mimecast.ManagedSender, error)
	BlockSender(ctx context.Context, sender, to string) (mimecast.ManagedSender, error)
	PermitSender(ctx context.Context, sender, to string) (mimecast.ManagedSender, error)
}

// groups is the Groups pane: groups and their members.
type groups interface {
	FindGroups(ctx context.Context, q mimecast.GroupQuery, opts mimecast.ListOptions) ([]mimecast.Group, error)
	GroupMembers(ctx context.Context, groupID string, opts mimecast.ListOptions) ([]mimecast.Member, error)
	CreateGroup(ctx context.Context, name, parentID string) (mimecast.Group, error)
	UpdateGroup(ctx context.Context, u mimecast.GroupUpdate) (mimecast.Group, error)
	DeleteGroup(ctx context.Context, id string) error
	AddGroupMembers(ctx context.Context, groupID string, refs []mimecast.MemberRef) ([]mimecast.MemberChange, error)
	RemoveGroupMember(ctx context.Context, groupID string, ref mimecast.MemberRef) (mimecast.MemberChange, error)
}

// auditLogs is the Logs pane: URL Protect clicks and archive searches.
type auditLogs interface {
	TTPURLLogs(ctx context.Context, q mimecast.ClickLogQuery, opts mimecast.ListOptions) ([]mimecast.ClickLog, error)
	SearchLogs(ctx context.Context, q mimecast.SearchLogQuery, opts mimecast.ListOptions) ([]mimecast.SearchLog, error)
}

// blockPolicies is the Policies pane: blocked-sender policies.
type blockPolicies interface {
	Policies(ctx context.Context, opts mimecast.ListOptions) ([]mimecast.Policy, error)
	CreatePolicy(ctx context.Context, spec mimecast.PolicySpec) (mimecast.Policy, error)
	UpdatePolicy(ctx context.Context, id string, spec mimecast.PolicySpec) (mimecast.Policy, error)
	DeletePolicy(ctx context.Context, id string) error
}

// managedURLs is the URLs pane: managed URLs.
type managedURLs interface {
	ManagedURLs(ctx context.Context, f mimecast.ManagedURLFilter, opts mimecast.ListOptions) ([]mimecast.ManagedURL, error)
	CreateManagedURL(ctx context.Context, spec mimecast.ManagedURLSpec) (mimecast.ManagedURL, error)
	DeleteManagedURL(ctx context.Context, id string) error
}

// tools is the Tools pane: decode a rewritten URL, look up aliases.
type tools interface {
	DecodeURL(ctx context.Context, encoded string) (string, error)
	Aliases(ctx context.Context, primary string) ([]mimecast.Alias, error)
}
