package fortimail

import (
	"context"

	bfm "github.com/mailtriage/mailtriage/backend/fortimail"
)

// The screen reaches the appliance through Gateway, a set of small
// interfaces, one per tab, each naming what that tab asks of the REST
// API. *bfm.Client is the Gateway the console runs with.
type Gateway interface {
	domains
	sessionProfiles
	antispamProfiles
	greylists
	senderLists
}

var _ Gateway = (*bfm.Client)(nil)

// domains is the Domains tab: protected domains, and each one's antispam
// profiles and recipient policies.
type domains interface {
	ListDomains(ctx context.Context) ([]bfm.Domain, error)
	ListAntispamProfiles(ctx context.Context, domain string) ([]bfm.ProfileSummary, error)
	ListRecipientPolicies(ctx context.Context, domain string) ([]bfm.RecipientPolicy, error)
}

// sessionProfiles is the Session profiles tab.
type sessionProfiles interface {
	ListSessionProfiles(ctx context.Context) ([]bfm.ProfileSummary, error)
	GetSessionProfile(ctx context.Context, name string) (bfm.SessionProfile, error)
	CreateSessionProfile(ctx context.Context, p bfm.SessionProfile) (bfm.SessionProfile, error)
	UpdateSessionProfile(ctx context.Context, name string, changes []bfm.Change) (bfm.SessionProfile, error)
	DeleteSessionProfile(ctx context.Context, name string) error
}

// antispamProfiles is the Antispam profiles tab (system or a domain).
type antispamProfiles interface {
	ListAntispamProfiles(ctx context.Context, domain string) ([]bfm.ProfileSummary, error)
	GetAntispamProfile(ctx context.Context, domain, name string) (bfm.AntispamProfile, error)
	CreateAntispamProfile(ctx context.Context, domain string, p bfm.AntispamProfile) (bfm.AntispamProfile, error)
	UpdateAntispamProfile(ctx context.Context, domain, name string, changes []bfm.Change) (bfm.AntispamProfile, error)
	DeleteAntispamProfile(ctx context.Context, domain, name string) error
}

// greylists is the Greylist tab, read only.
type greylists interface {
	ListGreylist(ctx context.Context) ([]bfm.Entry, error)
	ListAutoExemptGreylist(ctx context.Context) ([]bfm.Entry, error)
}

// senderLists is the Sender lists tab: the system's and each domain's
// block and safe lists, and each session profile's four lists. Listing
// which lists exist also needs the domains and session profiles.
type senderLists interface {
	ListDomains(ctx context.Context) ([]bfm.Domain, error)
	ListSessionProfiles(ctx context.Context) ([]bfm.ProfileSummary, error)
	SenderList(ctx context.Context, scope string, k bfm.ListKind) ([]string, error)
	AddToSenderList(ctx context.Context, scope string, k bfm.ListKind, entries ...string) error
	RemoveFromSenderList(ctx context.Context, scope string, k bfm.ListKind, entries ...string) error
	SessionListEntries(ctx context.Context, profile string, l bfm.SessionList) ([]string, error)
	AddSessionListEntry(ctx context.Context, profile string, l bfm.SessionList, entry string) error
	RemoveSessionListEntry(ctx context.Context, profile string, l bfm.SessionList, entry string) error
}
