package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/mailtriage/mailtriage/backend/fortimail"
	"github.com/mailtriage/mailtriage/backend/remediate"
)

// FortiMail output follows the REST API as the seed shows it: a list is
// {"collection": [...], "totalRemoteCount": N} (the client has followed
// every page, so the envelope's paging keys are left out), one object is
// the object itself in its wire form, and a delete is {"mkey", "errorType",
// "errorMsg"}.

// fortiCollection is a list in the seed's shape.
type fortiCollection struct {
	Collection       []any `json:"collection"`
	TotalRemoteCount int   `json:"totalRemoteCount"`
}

func collection[T any](items []T) fortiCollection {
	out := fortiCollection{Collection: make([]any, 0, len(items)), TotalRemoteCount: len(items)}
	for _, it := range items {
		out.Collection = append(out.Collection, it)
	}
	return out
}

// entryJSON is a greylist entry as the appliance sent it.
func entryJSON(e fortimail.Entry) map[string]any {
	out := map[string]any{"mkey": e.Key}
	for k, v := range e.Fields {
		out[k] = v
	}
	return out
}

// keyed turns list entries into {"mkey": entry} objects.
func keyed(entries []string) []map[string]string {
	out := make([]map[string]string, len(entries))
	for i, e := range entries {
		out[i] = map[string]string{"mkey": e}
	}
	return out
}

// fortiDeleted is what a delete prints.
type fortiDeleted struct {
	Mkey      string `json:"mkey"`
	ErrorType int    `json:"errorType"`
	ErrorMsg  string `json:"errorMsg"`
}

// fortimailOps are the FortiMail connector's 16 operations.
var fortimailOps = gatewayFamily{name: "fortimail", title: "FortiMail", ops: []gatewayOp{
	{name: "get-domains", aliases: []string{"get-domains-configured"}, about: "the protected domains configured",
		define: func(c *command) gatewayRun {
			return func(ctx context.Context, g *gatewayCall) (any, error) {
				d, err := g.fortimail.ListDomains(ctx)
				return collection(d), err
			}
		}},
	{name: "get-antispam-profiles-for-domain", args: "--domain D", about: "the antispam profiles of a domain", required: []string{"domain"},
		define: func(c *command) gatewayRun {
			domain := c.String("domain", "", "the `DOMAIN` (system: the system-wide profiles)")
			return func(ctx context.Context, g *gatewayCall) (any, error) {
				p, err := g.fortimail.ListAntispamProfiles(ctx, systemScope(*domain))
				return collection(p), err
			}
		}},
	{name: "get-recipient-policies-for-domain", args: "--domain D", about: "the recipient policies of a domain", required: []string{"domain"},
		define: func(c *command) gatewayRun {
			domain := c.String("domain", "", "the `DOMAIN`")
			return func(ctx context.Context, g *gatewayCall) (any, error) {
				p, err := g.fortimail.ListRecipientPolicies(ctx, *domain)
				return collection(p), err
			}
		}},
	{name: "get-greylist", about: "the greylist",
		define: func(c *command) gatewayRun {
			return func(ctx context.Context, g *gatewayCall) (any, error) {
				e, err := g.fortimail.ListGreylist(ctx)
				return entries(e), err
			}
		}},
	{name: "get-auto-exempt-greylist", about: "the greylist's automatic exemptions",
		define: func(c *command) gatewayRun {
			return func(ctx context.Context, g *gatewayCall) (any, error) {
				e, err := g.fortimail.ListAutoExemptGreylist(ctx)
				return entries(e), err
			}
		}},
	{name: "get-sender-whitelist-for-session-profile", args: "--name PROFILE", about: "a session profile's sender safe list",
		required: []string{"name"},
		define:   func(c *command) gatewayRun { return sessionList(c, fortimail.SessionSenderSafeList) }},
	{name: "get-sender-blacklist-for-session-profile", args: "--name PROFILE", about: "a session profile's sender block list",
		required: []string{"name"},
		define:   func(c *command) gatewayRun { return sessionList(c, fortimail.SessionSenderBlockList) }},
	{name: "get-profile-name", args: "--type session|antispam", about: "the names of the session or antispam profiles",
		required: []string{"type"},
		define: func(c *command) gatewayRun {
			typ := c.String("type", "", "session or antispam")
			return func(ctx context.Context, g *gatewayCall) (any, error) {
				t, err := choice("type", *typ, "session", "antispam")
				if err != nil {
					return nil, err
				}
				pt := fortimail.SessionProfiles
				if t == "antispam" {
					pt = fortimail.AntispamProfiles
				}
				names, err := g.fortimail.ProfileNames(ctx, pt)
				return orEmpty(names), err
			}
		}},
	{name: "update-session-profile", action: remediate.FortiMailUpdateSessionProfile, args: "--name PROFILE --set KEY=VALUE ...",
		about: "change settings of a session profile", required: []string{"name", "set"},
		define: func(c *command) gatewayRun { return updateSession(c) }},
	{name: "update-antispam-profile", action: remediate.FortiMailUpdateAntispamProfile, args: "--name PROFILE [--domain D] --set KEY=VALUE ...",
		about: "change settings of an antispam profile", required: []string{"name", "set"},
		define: func(c *command) gatewayRun { return updateAntispam(c) }},
	{name: "create-session-profile", action: remediate.FortiMailCreateSessionProfile, args: "--name PROFILE [--set KEY=VALUE ...]",
		about: "create a session profile", required: []string{"name"},
		define: func(c *command) gatewayRun { return createSession(c) }},
	{name: "create-antispam-profile", action: remediate.FortiMailCreateAntispamProfile, args: "--name PROFILE [--domain D] [--set KEY=VALUE ...]",
		about: "create an antispam profile", required: []string{"name"},
		define: func(c *command) gatewayRun { return createAntispam(c) }},
	{name: "delete-session-profile", action: remediate.FortiMailDeleteSessionProfile, args: "--name PROFILE",
		about: "delete a session profile", required: []string{"name"},
		define: func(c *command) gatewayRun {
			name := c.String("name", "", "the profile's `NAME`")
			return func(ctx context.Context, g *gatewayCall) (any, error) {
				return g.change(ctx, "delete session profile "+*name, map[string]string{"mkey": *name}, func(ctx context.Context) (any, error) {
					return fortiDeleted{Mkey: *name}, g.fortimail.DeleteSessionProfile(ctx, *name)
				})
			}
		}},
	{name: "delete-antispam-profile", action: remediate.FortiMailDeleteAntispamProfile, args: "--name PROFILE [--domain D]",
		about: "delete an antispam profile", required: []string{"name"},
		define: func(c *command) gatewayRun {
			name := c.String("name", "", "the profile's `NAME`")
			domain := c.String("domain", "", "the profile's `DOMAIN` (default: system)")
			return func(ctx context.Context, g *gatewayCall) (any, error) {
				detail := "delete antispam profile " + *name + scopeNote(*domain)
				return g.change(ctx, detail, map[string]string{"mkey": *name, "domain": *domain}, func(ctx context.Context) (any, error) {
					return fortiDeleted{Mkey: *name}, g.fortimail.DeleteAntispamProfile(ctx, systemScope(*domain), *name)
				})
			}
		}},
	{name: "get-session-profile-details", args: "--name PROFILE", about: "every setting of a session profile", required: []string{"name"},
		define: func(c *command) gatewayRun {
			name := c.String("name", "", "the profile's `NAME`")
			return func(ctx context.Context, g *gatewayCall) (any, error) {
				return g.fortimail.GetSessionProfile(ctx, *name)
			}
		}},
	{name: "get-antispam-profile-details", args: "--name PROFILE [--domain D]", about: "every setting of an antispam profile",
		required: []string{"name"},
		define: func(c *command) gatewayRun {
			name := c.String("name", "", "the profile's `NAME`")
			domain := c.String("domain", "", "the profile's `DOMAIN` (default: system)")
			return func(ctx context.Context, g *gatewayCall) (any, error) {
				return g.fortimail.GetAntispamProfile(ctx, systemScope(*domain), *name)
			}
		}},
}}

// systemScope maps "" and "system" to the client's system scope.
func systemScope(domain string) string {
	if domain == "" || strings.EqualFold(domain, "system") {
		return fortimail.System
	}
	return domain
}

func scopeNote(domain string) string {
	if systemScope(domain) == fortimail.System {
		return ""
	}
	return " of " + domain
}

func entries(es []fortimail.Entry) fortiCollection {
	out := make([]map[string]any, len(es))
	for i, e := range es {
		out[i] = entryJSON(e)
	}
	return collection(out)
}

// sessionList is get-sender-whitelist/-blacklist-for-session-profile.
func sessionList(c *command, l fortimail.SessionList) gatewayRun {
	name := c.String("name", "", "the session profile's `NAME`")
	return func(ctx context.Context, g *gatewayCall) (any, error) {
		e, err := g.fortimail.SessionListEntries(ctx, *name, l)
		return collection(keyed(e)), err
	}
}

// setting is one --set KEY=VALUE.
type setting struct{ key, value string }

// settingsFlag collects --set KEY=VALUE; KEY is the API's field name.
type settingsFlag []setting

func (s *settingsFlag) String() string { return fmt.Sprint(len(*s)) + " settings" }
func (s *settingsFlag) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if k = strings.TrimSpace(k); !ok || k == "" || k == "mkey" {
		return fmt.Errorf("%q: use KEY=VALUE with the API's field name (see get-…-profile-details)", v)
	}
	*s = append(*s, setting{k, strings.TrimSpace(val)})
	return nil
}

func addSettings(c *command) *settingsFlag {
	var s settingsFlag
	c.Var(&s, "set", "set the field `KEY=VALUE` (the API's field name, e.g. spf_checking=enable; repeatable)")
	return &s
}

// apply sets each setting on obj, as typed text.
func apply[T fortimail.Object](obj *T, s settingsFlag) error {
	for _, st := range s {
		if err := fortimail.SetField(obj, st.key, st.value); err != nil {
			return badUsage{fmt.Errorf("--set %w", err)}
		}
	}
	return nil
}

// changeJSON is one field a profile update changes, as --dry-run shows it.
type changeJSON struct {
	Field string `json:"field"`
	Label string `json:"label,omitempty"`
	Old   any    `json:"old"`
	New   any    `json:"new"`
}

func changesOut(changes []fortimail.Change) ([]changeJSON, string) {
	out := make([]changeJSON, len(changes))
	words := make([]string, len(changes))
	for i, ch := range changes {
		out[i] = changeJSON{Field: ch.Field, Label: ch.Label, Old: ch.Old, New: ch.New}
		words[i] = fmt.Sprintf("%s %v→%v", ch.Field, ch.Old, ch.New)
	}
	return out, strings.Join(words, ", ")
}

func updateSession(c *command) gatewayRun {
	name := c.String("name", "", "the profile's `NAME`")
	set := addSettings(c)
	return func(ctx context.Context, g *gatewayCall) (any, error) {
		old, err := g.fortimail.GetSessionProfile(ctx, *name)
		if err != nil {
			return nil, err
		}
		detail, req := "update session profile "+*name, map[string]any{"mkey": *name}
		return updateProfile(ctx, g, old, *set, detail, req, func(ctx context.Context, diff []fortimail.Change) (any, error) {
			return g.fortimail.UpdateSessionProfile(ctx, *name, diff)
		})
	}
}

func updateAntispam(c *command) gatewayRun {
	name := c.String("name", "", "the profile's `NAME`")
	domain := c.String("domain", "", "the profile's `DOMAIN` (default: system)")
	set := addSettings(c)
	return func(ctx context.Context, g *gatewayCall) (any, error) {
		scope := systemScope(*domain)
		old, err := g.fortimail.GetAntispamProfile(ctx, scope, *name)
		if err != nil {
			return nil, err
		}
		detail, req := "update antispam profile "+*name+scopeNote(*domain), map[string]any{"mkey": *name, "domain": *domain}
		return updateProfile(ctx, g, old, *set, detail, req, func(ctx context.Context, diff []fortimail.Change) (any, error) {
			return g.fortimail.UpdateAntispamProfile(ctx, scope, *name, diff)
		})
	}
}

// updateProfile applies set to the profile old and sends only the fields
// that differ, through the action layer: detail (the audit detail before
// the changes) and req (the request as --dry-run shows it) get the
// changes added. A profile that already is so is returned as it is, with
// nothing sent or audited.
func updateProfile[T fortimail.Object](ctx context.Context, g *gatewayCall, old T, set settingsFlag,
	detail string, req map[string]any, send func(ctx context.Context, diff []fortimail.Change) (any, error)) (any, error) {
	updated := old
	if err := apply(&updated, set); err != nil {
		return nil, err
	}
	diff := fortimail.Diff(old, updated)
	if len(diff) == 0 {
		return old, nil // already so: nothing is sent or audited
	}
	changes, words := changesOut(diff)
	req["changes"] = changes
	return g.change(ctx, detail+": "+words, req, func(ctx context.Context) (any, error) {
		return send(ctx, diff)
	})
}

func createSession(c *command) gatewayRun {
	name := c.String("name", "", "the new profile's `NAME`")
	set := addSettings(c)
	return func(ctx context.Context, g *gatewayCall) (any, error) {
		p := fortimail.NewSessionProfile(*name)
		if err := apply(&p, *set); err != nil {
			return nil, err
		}
		return g.change(ctx, "create session profile "+*name, p, func(ctx context.Context) (any, error) {
			return g.fortimail.CreateSessionProfile(ctx, p)
		})
	}
}

func createAntispam(c *command) gatewayRun {
	name := c.String("name", "", "the new profile's `NAME`")
	domain := c.String("domain", "", "the profile's `DOMAIN` (default: system)")
	set := addSettings(c)
	return func(ctx context.Context, g *gatewayCall) (any, error) {
		p := fortimail.NewAntispamProfile(*name)
		if err := apply(&p, *set); err != nil {
			return nil, err
		}
		return g.change(ctx, "create antispam profile "+*name+scopeNote(*domain), p, func(ctx context.Context) (any, error) {
			return g.fortimail.CreateAntispamProfile(ctx, systemScope(*domain), p)
		})
	}
}
