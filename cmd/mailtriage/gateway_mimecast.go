package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/mailtriage/mailtriage/backend/block"
	"github.com/mailtriage/mailtriage/backend/mimecast"
	"github.com/mailtriage/mailtriage/backend/remediate"
)

// mimecastEnvelope is the seed's output shape for every Mimecast
// operation: the API's {meta, data, fail} envelope. The client reads every
// page, so meta carries only the status.
type mimecastEnvelope struct {
	Meta struct {
		Status int `json:"status"`
	} `json:"meta"`
	Data []any `json:"data"`
	Fail []any `json:"fail"`
}

// envelope wraps items as the API returns them.
func envelope[T any](items ...T) mimecastEnvelope {
	e := mimecastEnvelope{Data: make([]any, 0, len(items)), Fail: []any{}}
	e.Meta.Status = 200
	for _, it := range items {
		e.Data = append(e.Data, it)
	}
	return e
}

// listFlags are the seed's Page Size and Page Token, and a cap.
type listFlags struct {
	pageSize, max *int
	pageToken     *string
}

func addListFlags(c *command) listFlags {
	return listFlags{
		pageSize:  c.Int("page-size", 0, "rows per request (default: the client's)"),
		pageToken: c.String("page-token", "", "start from this page token (next or previous of an earlier request)"),
		max:       c.Int("max", 0, "at most this many rows (0: every page)"),
	}
}

func (l listFlags) options() mimecast.ListOptions {
	return mimecast.ListOptions{PageSize: *l.pageSize, PageToken: *l.pageToken, Max: *l.max}
}

// mimecastOps are the Mimecast connector's 25 operations.
var mimecastOps = gatewayFamily{name: "mimecast", title: "Mimecast", ops: []gatewayOp{
	{name: "create-blocked-sender-policy", action: remediate.MimecastCreatePolicy, guarded: true,
		args:     "--description D --sender-type T [--sender-value V] [--option block_sender|no_action] [--addresses-based-on envelope_from|header_from|both] [--receiver-type T] [--receiver-value V] [--source-ip CIDR ...]",
		about:    "create a blocked-sender policy",
		required: []string{"description", "sender-type"},
		define:   func(c *command) gatewayRun { return policyWrite(c, false) }},
	{name: "get-blocked-sender-policy", args: "[--id ID]", about: "one blocked-sender policy, or all of them",
		define: func(c *command) gatewayRun {
			id := c.String("id", "", "policy `ID` (default: every policy)")
			return func(ctx context.Context, g *gatewayCall) (any, error) {
				if *id != "" {
					p, err := g.mimecast.Policy(ctx, *id)
					return envelope(policyOut(p)), err
				}
				ps, err := g.mimecast.Policies(ctx, mimecast.ListOptions{})
				out := make([]policyJSON, len(ps))
				for i, p := range ps {
					out[i] = policyOut(p)
				}
				return envelope(out...), err
			}
		}},
	{name: "update-blocked-sender-policy", action: remediate.MimecastUpdatePolicy, guarded: true,
		args:     "--id ID --description D --sender-type T [--sender-value V] [--option O] [--addresses-based-on P] [--receiver-type T] [--receiver-value V] [--source-ip CIDR ...]",
		about:    "replace a blocked-sender policy's settings",
		required: []string{"id", "description", "sender-type"},
		define:   func(c *command) gatewayRun { return policyWrite(c, true) }},
	{name: "delete-blocked-sender-policy", action: remediate.MimecastDeletePolicy, args: "--id ID",
		about: "delete a blocked-sender policy", required: []string{"id"},
		define: func(c *command) gatewayRun {
			id := c.String("id", "", "policy `ID`")
			return func(ctx context.Context, g *gatewayCall) (any, error) {
				return g.change(ctx, "delete policy "+*id, map[string]string{"id": *id}, func(ctx context.Context) (any, error) {
					err := g.mimecast.DeletePolicy(ctx, *id)
					return envelope(map[string]any{"id": *id, "deleted": err == nil}), err
				})
			}
		}},
	{name: "create-group", action: remediate.MimecastCreateGroup, args: "--description NAME [--parent-id ID]",
		about: "create a profile group", required: []string{"description"},
		define: func(c *command) gatewayRun {
			desc := c.String("description", "", "the group's name")
			parent := c.String("parent-id", "", "parent group `ID` (default: the root)")
			return func(ctx context.Context, g *gatewayCall) (any, error) {
				req := map[string]string{"description": *desc, "parentId": *parent}
				return g.change(ctx, "create group "+*desc, req, func(ctx context.Context) (any, error) {
					grp, err := g.mimecast.CreateGroup(ctx, *desc, *parent)
					return envelope(grp), err
				})
			}
		}},
	{name: "find-groups", args: "[--query Q] [--source cloud|ldap] [--page-size N] [--page-token T]",
		about: "find profile groups (all without a filter)",
		define: func(c *command) gatewayRun {
			query := c.String("query", "", "text the group's name contains")
			source := c.String("source", "", "cloud or ldap (default: both)")
			lf := addListFlags(c)
			return func(ctx context.Context, g *gatewayCall) (any, error) {
				src := *source
				if src != "" {
					var err error
					if src, err = choice("source", src, "cloud", "ldap"); err != nil {
						return nil, err
					}
				}
				groups, err := g.mimecast.FindGroups(ctx, mimecast.GroupQuery{Query: *query, Source: src}, lf.options())
				return envelope(map[string]any{"folders": orEmpty(groups), "query": *query, "source": src}), err
			}
		}},
	{name: "update-group", action: remediate.MimecastUpdateGroup, args: "--id ID [--description NAME] [--parent-id ID]",
		about: "rename a profile group or move it", required: []string{"id"},
		define: func(c *command) gatewayRun {
			id := c.String("id", "", "group `ID`")
			desc := c.String("description", "", "new name")
			parent := c.String("parent-id", "", "new parent group `ID`")
			return func(ctx context.Context, g *gatewayCall) (any, error) {
				if *desc == "" && *parent == "" {
					return nil, usagef("give --description or --parent-id")
				}
				u := mimecast.GroupUpdate{ID: *id, Description: *desc, ParentID: *parent}
				detail := fmt.Sprintf("update group %s (description %q, parent %q)", *id, *desc, *parent)
				return g.change(ctx, detail, map[string]string{"id": *id, "description": *desc, "parentId": *parent}, func(ctx context.Context) (any, error) {
					grp, err := g.mimecast.UpdateGroup(ctx, u)
					return envelope(grp), err
				})
			}
		}},
	{name: "delete-group", action: remediate.MimecastDeleteGroup, args: "--id ID", about: "delete a profile group",
		required: []string{"id"},
		define: func(c *command) gatewayRun {
			id := c.String("id", "", "group `ID`")
			return func(ctx context.Context, g *gatewayCall) (any, error) {
				return g.change(ctx, "delete group "+*id, map[string]string{"id": *id}, func(ctx context.Context) (any, error) {
					err := g.mimecast.DeleteGroup(ctx, *id)
					return envelope(map[string]string{"id": *id, "status": "deleted"}), err
				})
			}
		}},
	{name: "add-group-member", action: remediate.MimecastAddGroupMembers, args: "--id ID (--email ADDR ... | --domain D ...)",
		about: "add addresses or domains to a profile group", required: []string{"id"},
		define: func(c *command) gatewayRun {
			id := c.String("id", "", "group `ID`")
			var emails, domains listFlag
			c.Var(&emails, "email", "member `ADDRESS` (repeatable, or comma-separated)")
			c.Var(&domains, "domain", "member `DOMAIN` (repeatable, or comma-separated)")
			return func(ctx context.Context, g *gatewayCall) (any, error) {
				refs := memberRefs(emails, domains)
				if len(refs) == 0 {
					return nil, usagef("give --email or --domain")
				}
				detail := fmt.Sprintf("add %d members to group %s: %s", len(refs), *id, strings.Join(append(emails, domains...), ", "))
				return g.change(ctx, detail, map[string]any{"id": *id, "members": refs}, func(ctx context.Context) (any, error) {
					changes, err := g.mimecast.AddGroupMembers(ctx, *id, refs)
					return envelope(changes...), err
				})
			}
		}},
	{name: "get-group-member", args: "--id ID [--page-size N] [--page-token T]", about: "the members of a profile group",
		required: []string{"id"},
		define: func(c *command) gatewayRun {
			id := c.String("id", "", "group `ID`")
			lf := addListFlags(c)
			return func(ctx context.Context, g *gatewayCall) (any, error) {
				members, err := g.mimecast.GroupMembers(ctx, *id, lf.options())
				return envelope(map[string]any{"groupMembers": orEmpty(members)}), err
			}
		}},
	{name: "remove-group-member", action: remediate.MimecastRemoveGroupMember, args: "--id ID (--email ADDR | --domain D)",
		about: "remove an address or domain from a profile group", required: []string{"id"},
		define: func(c *command) gatewayRun {
			id := c.String("id", "", "group `ID`")
			email := c.String("email", "", "member `ADDRESS`")
			domain := c.String("domain", "", "member `DOMAIN`")
			return func(ctx context.Context, g *gatewayCall) (any, error) {
				if (*email == "") == (*domain == "") {
					return nil, usagef("give exactly one of --email, --domain")
				}
				ref := mimecast.MemberRef{EmailAddress: *email, Domain: *domain}
				detail := fmt.Sprintf("remove %s from group %s", *email+*domain, *id)
				return g.change(ctx, detail, map[string]any{"id": *id, "member": ref}, func(ctx context.Context) (any, error) {
					ch, err := g.mimecast.RemoveGroupMember(ctx, *id, ref)
					return envelope(ch), err
				})
			}
		}},
	{name: "block-sender", action: remediate.MimecastBlockSender, guarded: true, args: "--sender ADDR --to ADDR",
		about: "block a sender for a recipient (managed senders)", required: []string{"sender", "to"},
		define: func(c *command) gatewayRun { return managedSender(c, true) }},
	{name: "unblock-sender", action: remediate.MimecastPermitSender, args: "--sender ADDR --to ADDR",
		about: "permit a sender for a recipient (how Mimecast unblocks)", required: []string{"sender", "to"},
		define: func(c *command) gatewayRun { return managedSender(c, false) }},
	{name: "get-managed-url", args: "[--domain-or-url D] [--exact]", about: "the managed URLs (blocked and permitted)",
		define: func(c *command) gatewayRun {
			match := c.String("domain-or-url", "", "only entries for this domain or URL")
			exact := c.Bool("exact", false, "--domain-or-url must match exactly")
			lf := addListFlags(c)
			return func(ctx context.Context, g *gatewayCall) (any, error) {
				urls, err := g.mimecast.ManagedURLs(ctx, mimecast.ManagedURLFilter{DomainOrURL: *match, ExactMatch: *exact}, lf.options())
				return envelope(urls...), err
			}
		}},
	{name: "blacklist-url", aliases: []string{"block-url"}, action: remediate.MimecastBlockURL,
		args: "--url URL [--match-type explicit|domain] [--comment C] [--disable-log-click]", about: "block a URL (TTP URL Protect)",
		required: []string{"url"},
		define:   func(c *command) gatewayRun { return managedURL(c, mimecast.URLBlock) }},
	{name: "whitelist-url", aliases: []string{"permit-url"}, action: remediate.MimecastPermitURL,
		args:     "--url URL [--match-type explicit|domain] [--comment C] [--disable-log-click] [--disable-rewrite] [--disable-user-awareness]",
		about:    "permit a URL (TTP URL Protect)",
		required: []string{"url"},
		define:   func(c *command) gatewayRun { return managedURL(c, mimecast.URLPermit) }},
	{name: "decode-url", args: "--url URL", about: "decode a Mimecast-rewritten URL (nothing is fetched)", required: []string{"url"},
		define: func(c *command) gatewayRun {
			u := c.String("url", "", "the encoded `URL`")
			return func(ctx context.Context, g *gatewayCall) (any, error) {
				decoded, err := g.mimecast.DecodeURL(ctx, *u)
				return envelope(map[string]any{"url": decoded, "success": err == nil}), err
			}
		}},
	{name: "get-search-url-logs", args: "[--query Q] [--start T] [--end T] [--page-size N] [--page-token T]",
		about: "the archive search logs",
		define: func(c *command) gatewayRun {
			query := c.String("query", "", "text the searches contain")
			start := c.String("start", "", "from this time (default: start of today)")
			end := c.String("end", "", "until this time (default: end of today)")
			lf := addListFlags(c)
			return func(ctx context.Context, g *gatewayCall) (any, error) {
				from, to, err := timeRange(*start, *end)
				if err != nil {
					return nil, err
				}
				logs, err := g.mimecast.SearchLogs(ctx, mimecast.SearchLogQuery{Query: *query, Start: from, End: to}, lf.options())
				return envelope(map[string]any{"logs": orEmpty(logs)}), err
			}
		}},
	{name: "get-ttp-url-logs", args: "[--route inbound|outbound|internal|all] [--scan-result clean|malicious|all] [--start T] [--end T] [--oldest-first]",
		about: "the TTP URL click logs",
		define: func(c *command) gatewayRun {
			route := c.String("route", "all", "inbound, outbound, internal or all")
			scan := c.String("scan-result", "all", "clean, malicious or all")
			start := c.String("start", "", "from this time (default: start of today)")
			end := c.String("end", "", "until this time (default: now)")
			oldest := c.Bool("oldest-first", false, "oldest first")
			lf := addListFlags(c)
			return func(ctx context.Context, g *gatewayCall) (any, error) {
				from, to, err := timeRange(*start, *end)
				if err != nil {
					return nil, err
				}
				q := mimecast.ClickLogQuery{From: from, To: to, OldestFirst: *oldest}
				if q.Route, err = choice("route", *route, "inbound", "outbound", "internal", "all"); err != nil {
					return nil, err
				}
				if q.ScanResult, err = choice("scan-result", *scan, "clean", "malicious", "all"); err != nil {
					return nil, err
				}
				logs, err := g.mimecast.TTPURLLogs(ctx, q, lf.options())
				return envelope(map[string]any{"clickLogs": orEmpty(logs)}), err
			}
		}},
	{name: "get-message-list", args: "[--mailbox ADDR] [--source INBOX|SENT] [--start T] [--end T] [--include-delegates] [--include-aliases=false]",
		about: "the archived messages of a mailbox",
		define: func(c *command) gatewayRun {
			mailbox := c.String("mailbox", "", "mailbox `ADDRESS` (default: the API user's)")
			source := c.String("source", "INBOX", "INBOX or SENT")
			start := c.String("start", "", "from this time (default: a month ago)")
			end := c.String("end", "", "until this time (default: today)")
			delegates := c.Bool("include-delegates", false, "include mailboxes the mailbox is a delegate of")
			aliases := c.Bool("include-aliases", true, "include the mailbox's aliases")
			lf := addListFlags(c)
			return func(ctx context.Context, g *gatewayCall) (any, error) {
				from, to, err := timeRange(*start, *end)
				if err != nil {
					return nil, err
				}
				view := strings.ToUpper(*source)
				if view != "INBOX" && view != "SENT" {
					return nil, usagef("--source %q: INBOX or SENT", *source)
				}
				q := mimecast.MessageListQuery{Mailbox: *mailbox, View: view, Start: from, End: to, IncludeDelegates: *delegates, ExcludeAliases: !*aliases}
				msgs, err := g.mimecast.ArchiveMessages(ctx, q, lf.options())
				return envelope(msgs...), err
			}
		}},
	{name: "get-archive-search-message-details", args: "--id MIMECAST-ID", about: "an archived message's metadata, by id",
		required: []string{"id"},
		define: func(c *command) gatewayRun {
			id := c.String("id", "", "the message's Mimecast `ID` (from archive-search)")
			return func(ctx context.Context, g *gatewayCall) (any, error) {
				d, err := g.mimecast.ArchiveMessageDetail(ctx, *id)
				return envelope(d), err
			}
		}},
	{name: "get-message-info", args: "--id MIMECAST-ID", about: "a tracked message's delivery information, by id",
		required: []string{"id"},
		define: func(c *command) gatewayRun {
			id := c.String("id", "", "the message's Mimecast `ID` (from message-search)")
			return func(ctx context.Context, g *gatewayCall) (any, error) {
				info, err := g.mimecast.MessageInfo(ctx, *id)
				return envelope(info), err
			}
		}},
	{name: "archive-search", args: "[--email ADDR] [--text T] [--admin] [--period today|yesterday|last_week|last_month|last_year|between [--from T --to T]] [--document-type T]",
		about: "search the archive",
		define: func(c *command) gatewayRun {
			email := c.String("email", "", "search this mailbox")
			text := c.String("text", "", "search text")
			admin := c.Bool("admin", false, "an administrative search (every mailbox)")
			period := c.String("period", "", "today, yesterday, last_week, last_month, last_year or between")
			from := c.String("from", "", "with --period between: from this time")
			to := c.String("to", "", "with --period between: until this time")
			doc := c.String("document-type", "", "only messages with this kind of attachment (documents, spreadsheets, text, media, ...)")
			lf := addListFlags(c)
			return func(ctx context.Context, g *gatewayCall) (any, error) {
				s := mimecast.ArchiveSearch{Mailbox: *email, Text: *text, Admin: *admin, DocumentType: *doc}
				if *period != "" {
					p, err := choice("period", *period, "today", "yesterday", "last_week", "last_month", "last_year", "between")
					if err != nil {
						return nil, err
					}
					s.Period = mimecast.Period(p)
				}
				var err error
				if s.From, s.To, err = timePair("from", *from, "to", *to); err != nil {
					return nil, err
				}
				hits, err := g.mimecast.SearchArchive(ctx, s, lf.options())
				return envelope(map[string]any{"items": orEmpty(hits)}), err
			}
		}},
	{name: "message-search", args: "[--sender S] [--recipient R] [--subject S] [--message-id ID] [--sender-ip IP] [--search-reason R] [--start T] [--end T]",
		about: "track messages across the platform",
		define: func(c *command) gatewayRun {
			q := mimecast.TrackingQuery{}
			c.StringVar(&q.From, "sender", "", "sender address or domain")
			c.StringVar(&q.To, "recipient", "", "recipient address or domain")
			c.StringVar(&q.Subject, "subject", "", "subject")
			c.StringVar(&q.MessageID, "message-id", "", "Internet Message-ID")
			c.StringVar(&q.SenderIP, "sender-ip", "", "sender's IP address")
			c.StringVar(&q.SearchReason, "search-reason", "", "why (recorded by Mimecast)")
			start := c.String("start", "", "from this time")
			end := c.String("end", "", "until this time")
			lf := addListFlags(c)
			return func(ctx context.Context, g *gatewayCall) (any, error) {
				var err error
				if q.Start, q.End, err = timeRange(*start, *end); err != nil {
					return nil, err
				}
				found, err := g.mimecast.SearchMessages(ctx, q, lf.options())
				return envelope(map[string]any{"trackedEmails": orEmpty(found)}), err
			}
		}},
	{name: "get-aliases", args: "--email ADDR", about: "the alias addresses of a user", required: []string{"email"},
		define: func(c *command) gatewayRun {
			email := c.String("email", "", "the user's primary `ADDRESS`")
			return func(ctx context.Context, g *gatewayCall) (any, error) {
				aliases, err := g.mimecast.Aliases(ctx, *email)
				return envelope(aliases...), err
			}
		}},
}}

// timeRange parses --start and --end (a wrong one is a usage mistake).
func timeRange(start, end string) (from, to time.Time, err error) {
	return timePair("start", start, "end", end)
}

// timePair parses two time flags named a and b.
func timePair(a, av, b, bv string) (from, to time.Time, err error) {
	if from, err = parseWhen(a, av); err != nil {
		return from, to, badUsage{err}
	}
	if to, err = parseWhen(b, bv); err != nil {
		return from, to, badUsage{err}
	}
	return from, to, nil
}

// memberRefs turns the --email and --domain values into member refs.
func memberRefs(emails, domains []string) []mimecast.MemberRef {
	var refs []mimecast.MemberRef
	for _, e := range emails {
		refs = append(refs, mimecast.MemberRef{EmailAddress: e})
	}
	for _, d := range domains {
		refs = append(refs, mimecast.MemberRef{Domain: d})
	}
	return refs
}

// managedSender is block-sender (block) and unblock-sender (permit).
func managedSender(c *command, blockIt bool) gatewayRun {
	sender := c.String("sender", "", "the sender's `ADDRESS`")
	to := c.String("to", "", "the internal recipient's `ADDRESS` (managed senders are per recipient)")
	return func(ctx context.Context, g *gatewayCall) (any, error) {
		// The backend's plan checks the addresses before anything is
		// audited or sent.
		plan, err := block.NewPlan(block.Option{Method: block.MimecastManaged}, []block.Sender{{Address: *sender, Recipient: *to}}, "")
		if err != nil {
			return nil, badUsage{err}
		}
		req := map[string]string{"sender": *sender, "to": *to, "action": "permit"}
		detail := fmt.Sprintf("permit %s → %s", *sender, *to)
		if blockIt {
			req["action"] = "block"
			if detail, err = g.guarded(plan, fmt.Sprintf("block %s → %s", *sender, *to)); err != nil {
				return nil, err
			}
		}
		return g.change(ctx, detail, req, func(ctx context.Context) (any, error) {
			var ms mimecast.ManagedSender
			var err error
			if blockIt {
				ms, err = g.mimecast.BlockSender(ctx, *sender, *to)
			} else {
				ms, err = g.mimecast.PermitSender(ctx, *sender, *to)
			}
			return envelope(ms), err
		})
	}
}

// managedURL is blacklist-url and whitelist-url.
func managedURL(c *command, act mimecast.URLAction) gatewayRun {
	spec := mimecast.ManagedURLSpec{Action: act}
	c.StringVar(&spec.URL, "url", "", "the `URL` (no #fragment)")
	match := c.String("match-type", "explicit", "explicit (this URL) or domain (any URL on its domain)")
	c.StringVar(&spec.Comment, "comment", "", "why, for tracking")
	c.BoolVar(&spec.DisableLogClick, "disable-log-click", false, "do not log clicks on it")
	if act == mimecast.URLPermit {
		c.BoolVar(&spec.DisableRewrite, "disable-rewrite", false, "do not rewrite it in mail")
		c.BoolVar(&spec.DisableUserAwareness, "disable-user-awareness", false, "no user awareness page for it")
	}
	return func(ctx context.Context, g *gatewayCall) (any, error) {
		m, err := choice("match-type", *match, "explicit", "domain")
		if err != nil {
			return nil, err
		}
		spec.MatchType = mimecast.MatchType(m)
		detail := fmt.Sprintf("%s URL %s (%s)", act, spec.URL, m)
		return g.change(ctx, detail, spec, func(ctx context.Context) (any, error) {
			u, err := g.mimecast.CreateManagedURL(ctx, spec)
			return envelope(u), err
		})
	}
}
