package mailbox

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/backend/campaign"
	"github.com/mailtriage/mailtriage/backend/jobs"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/ui/common"
	"github.com/mailtriage/mailtriage/ui/components"
)

// A campaign is the messages of the open folder (or search) that share
// one key (see backend/campaign). Picking a campaign selects its
// messages, so one remediation covers all of them.

// pickCampaign asks how to group the listed messages.
func (m *Model) pickCampaign() tea.Cmd {
	f := m.open
	if f == nil || !f.loaded || len(f.uids) == 0 {
		return common.Info("no messages to group")
	}
	items := make([]components.PickItem, len(campaign.Names))
	for i, n := range campaign.Names {
		items[i] = components.PickItem{Label: n, Value: strconv.Itoa(i)}
	}
	where := f.name
	if f.query != "" {
		where = "the matches of " + f.query
	}
	m.overlay = newPicker(m.c, analysis.Concat(analysis.Plain("campaigns in "), analysis.SanitizeLine(where), analysis.Plain(": group by…")), items, false, func(it components.PickItem, _ string) tea.Cmd {
		g, _ := strconv.Atoi(it.Value)
		return m.FindCampaigns(campaign.Grouping(g))
	})
	return nil
}

// campaignsMsg carries the groups found.
type campaignsMsg struct {
	account  string
	ticket   common.Ticket
	grouping campaign.Grouping
	campaign.Result
	capped bool // the list holds more than were looked at
	err    error
}

// FindCampaigns groups the listed messages in a job (backend/campaign):
// envelopes come from what the list has loaded and are fetched for the
// rest; URL and attachment groupings read the messages too.
func (m *Model) FindCampaigns(g campaign.Grouping) tea.Cmd {
	f := m.open
	if f == nil || !f.loaded {
		return common.Info("no messages to group")
	}
	limit := m.scan.envelopes
	if g.NeedsBody() {
		limit = m.scan.bodies
	}
	n := min(len(f.uids), limit)
	uids := slices.Clone(f.uids[len(f.uids)-n:]) // the newest n
	known := make(map[mail.UID]mail.Envelope, n)
	for _, uid := range uids {
		if e := f.env[uid]; e != nil {
			known[uid] = *m.shown(e) // a report is grouped by its original
		}
	}
	acct := m.acct
	req := campaign.Request{Box: acct.Mailbox, Folder: f.ref, UIDs: uids, Grouping: g, Known: known,
		Cache: m.keyCache, MaxBytes: acct.MessageLimit, Limits: m.c.Limits}
	capped := len(f.uids) > n
	spec := jobs.Spec{Name: fmt.Sprintf("campaigns by %s in %s", g.Short(), f.name), Account: acct.Name}
	return common.Request(m.c.Common, &m.req.campaign, spec,
		func(ctx context.Context, p *jobs.Progress) (campaign.Result, error) {
			req.Progress = p.Set
			return campaign.Scan(ctx, req)
		},
		func(t common.Ticket, r campaign.Result, err error) tea.Msg {
			return campaignsMsg{account: acct.Name, ticket: t, grouping: g, Result: r, capped: capped, err: err}
		})
}

// campaignsFound offers the groups; enter selects one.
func (m *Model) campaignsFound(msg campaignsMsg) tea.Cmd {
	if !msg.ticket.Current() || m.open == nil {
		return nil
	}
	if msg.err != nil {
		return common.Error(fmt.Errorf("campaigns by %s: %w", msg.grouping.Short(), msg.err))
	}
	note := fmt.Sprintf("%d messages looked at", msg.Scanned)
	if msg.capped {
		note = fmt.Sprintf("the newest %d messages looked at", msg.Scanned)
	}
	if msg.Failed > 0 {
		note += fmt.Sprintf(", %d could not be read", msg.Failed)
	}
	if len(msg.Groups) == 0 {
		return common.Info(fmt.Sprintf("no campaign by %s: no two messages share one (%s)", msg.grouping.Short(), note))
	}
	now := m.c.Now()
	items := make([]components.PickItem, len(msg.Groups))
	for i, c := range msg.Groups {
		span := formatDate(c.First, now)
		if !c.Last.Equal(c.First) {
			span += " – " + formatDate(c.Last, now)
		}
		items[i] = components.PickItem{Label: fmt.Sprintf("%5d  %-27s  %s", len(c.UIDs), span, c.Key), Value: strconv.Itoa(i)}
	}
	title := fmt.Sprintf("%s by %s (%s) — count, first – last seen; enter selects", plural(len(msg.Groups), "campaign", "campaigns"), msg.grouping.Short(), note)
	groups, g, capped := msg.Groups, msg.grouping, msg.capped
	m.overlay = newPicker(m.c, analysis.Plain(title), items, false, func(it components.PickItem, _ string) tea.Cmd {
		i, _ := strconv.Atoi(it.Value)
		return m.selectCampaign(g, groups[i], capped)
	})
	return nil
}

// selectCampaign makes the campaign the selection. When only the newest
// messages were looked at, a server search finds the older members of an
// envelope grouping, each checked against the key before it is selected.
func (m *Model) selectCampaign(g campaign.Grouping, c campaign.Campaign, capped bool) tea.Cmd {
	f := m.open
	f.marked = map[mail.UID]bool{}
	for _, uid := range c.UIDs {
		if _, ok := searchUID(f.uids, uid); ok {
			f.marked[uid] = true
		}
	}
	info := common.Info(fmt.Sprintf("campaign %s %s: %d selected — m d t X act on all of them", g.Short(), c.Key, len(f.marked)))
	if !capped {
		return info
	}
	if _, ok := campaign.Query(g, c.Key); !ok {
		return tea.Batch(info, common.Info(fmt.Sprintf("only the newest messages were grouped: older ones with this %s are not selected", g.Short())))
	}
	acct, ref := m.acct, f.ref
	return tea.Batch(info, common.RequestIn(m.c.Common, &m.req.finds, jobs.Spec{Name: "find older " + g.Short() + " " + c.Key + " in " + f.name, Account: acct.Name},
		func(ctx context.Context, _ *jobs.Progress) ([]mail.UID, error) {
			return campaign.FindOlder(ctx, acct.Mailbox, ref, g, c.Key)
		},
		func(t common.Ticket, uids []mail.UID, err error) tea.Msg {
			return likeFoundMsg{account: acct.Name, ticket: t, label: g.Short() + " " + c.Key + ", older messages", uids: uids, err: err}
		}))
}

// scanLimits say how many of the newest messages a grouping looks at.
type scanLimits struct{ envelopes, bodies int }
