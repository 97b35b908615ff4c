package mailbox

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/backend/evidence"
	"github.com/mailtriage/mailtriage/backend/jobs"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/ui/common"
	"github.com/mailtriage/mailtriage/ui/session"
)

// A campaign is the messages of the open folder (or search) that share
// one key: the sender, the sender's domain, the Reply-To, the subject,
// a URL's domain or an attachment. Picking a campaign selects its
// messages, so one remediation covers all of them.

type grouping int

const (
	bySender grouping = iota
	byDomain
	byReplyTo
	bySubject
	byURLDomain
	byAttachment
)

var groupingNames = []string{
	bySender:     "sender address",
	byDomain:     "sender domain (registrable)",
	byReplyTo:    "Reply-To address",
	bySubject:    "subject (normalized: no Re:/Fwd:/[EXTERNAL], case, spacing)",
	byURLDomain:  "URL domain (reads every message: slower)",
	byAttachment: "attachment SHA-256 (reads every message: slower)",
}

// needsBody: these groupings read and analyse each message.
func (g grouping) needsBody() bool { return g == byURLDomain || g == byAttachment }

func (g grouping) short() string {
	return [...]string{"sender", "sender domain", "Reply-To", "subject", "URL domain", "attachment"}[g]
}

const (
	// maxEnvelopeScan is how many of the newest messages an envelope
	// grouping looks at; older members are found by a server search.
	maxEnvelopeScan = 20000
	// maxBodyScan is how many of the newest messages a URL or attachment
	// grouping reads.
	maxBodyScan = 500
	// fetchConcurrency bounds the messages read at once.
	fetchConcurrency = 4
	envelopeBatch    = 500
	// maxCampaigns is how many groups the picker offers.
	maxCampaigns = 500
)

// pickCampaign asks how to group the listed messages.
func (m *Model) pickCampaign() tea.Cmd {
	f := m.open
	if f == nil || !f.loaded || len(f.uids) == 0 {
		return common.Info("no messages to group")
	}
	items := make([]pickItem, len(groupingNames))
	for i, n := range groupingNames {
		items[i] = pickItem{label: n, value: strconv.Itoa(i)}
	}
	where := f.name
	if f.query != "" {
		where = "the matches of " + f.query
	}
	m.overlay = newPicker(m.c, "campaigns in "+where+": group by…", items, false, func(it pickItem, _ string) tea.Cmd {
		g, _ := strconv.Atoi(it.value)
		return m.FindCampaigns(grouping(g))
	})
	return nil
}

// campaign is one group.
type campaign struct {
	key         string
	uids        []mail.UID
	first, last time.Time
}

// campaignsMsg carries the groups found.
type campaignsMsg struct {
	account  string
	gen      int
	grouping grouping
	groups   []campaign
	scanned  int  // messages looked at
	capped   bool // the list holds more than were looked at
	failed   int  // messages that could not be read
	err      error
}

// FindCampaigns groups the listed messages in a job: envelopes come from
// what the list has loaded and are fetched for the rest; URL and
// attachment groupings read the messages too (a few at a time, with a
// bounded cache of what each message yielded).
func (m *Model) FindCampaigns(g grouping) tea.Cmd {
	f := m.open
	if f == nil || !f.loaded {
		return common.Info("no messages to group")
	}
	limit := m.scan.envelopes
	if g.needsBody() {
		limit = m.scan.bodies
	}
	n := min(len(f.uids), limit)
	uids := slices.Clone(f.uids[len(f.uids)-n:]) // the newest n
	known := make(map[mail.UID]mail.Envelope, n)
	for _, uid := range uids {
		if e := f.env[uid]; e != nil {
			known[uid] = *e
		}
	}
	acct, ref, gen, cache, lim := m.acct, f.ref, m.gen, m.keyCache, m.c.Limits
	capped := len(f.uids) > n
	spec := jobs.Spec{Name: fmt.Sprintf("campaigns by %s in %s", g.short(), f.name), Account: acct.Name}
	return common.RunJob(m.c.Common, spec,
		func(ctx context.Context, p *jobs.Progress) (campaignsMsg, error) {
			envs, err := completeEnvelopes(ctx, acct.Mailbox, ref, uids, known, p)
			if err != nil {
				return campaignsMsg{}, err
			}
			keys := envelopeKeys(g)
			failed := 0
			if g.needsBody() {
				var bodyKeys map[mail.UID]analysis.CampaignKeys
				bodyKeys, failed, err = readKeys(ctx, acct, ref, uids, cache, lim, p)
				if err != nil {
					return campaignsMsg{}, err
				}
				keys = func(e mail.Envelope) []string {
					k := bodyKeys[e.UID]
					if g == byURLDomain {
						return k.URLDomains
					}
					return k.AttachmentSHA256
				}
			}
			return campaignsMsg{groups: group(envs, keys), scanned: len(envs), capped: capped, failed: failed}, nil
		},
		func(_ jobs.ID, r campaignsMsg, err error) tea.Msg {
			r.account, r.gen, r.grouping, r.err = acct.Name, gen, g, err
			return r
		})
}

// completeEnvelopes returns the envelopes of uids, fetching those the
// list has not loaded.
func completeEnvelopes(ctx context.Context, box mail.Mailbox, ref mail.FolderRef, uids []mail.UID, known map[mail.UID]mail.Envelope, p *jobs.Progress) ([]mail.Envelope, error) {
	var missing []mail.UID
	for _, uid := range uids {
		if _, ok := known[uid]; !ok {
			missing = append(missing, uid)
		}
	}
	for i := 0; i < len(missing); i += envelopeBatch {
		batch := missing[i:min(i+envelopeBatch, len(missing))]
		envs, err := box.Envelopes(ctx, ref, batch)
		if err != nil {
			return nil, fmt.Errorf("fetch envelopes: %w", err)
		}
		for _, e := range envs {
			known[e.UID] = e
		}
		p.Set(i+len(batch), len(missing))
	}
	out := make([]mail.Envelope, 0, len(uids))
	for _, uid := range uids {
		if e, ok := known[uid]; ok {
			out = append(out, e)
		}
	}
	return out, nil
}

// envelopeKeys returns the key function of an envelope grouping.
func envelopeKeys(g grouping) func(mail.Envelope) []string {
	return func(e mail.Envelope) []string {
		var k string
		switch g {
		case bySender, byDomain:
			if len(e.From) == 0 {
				return nil
			}
			k = strings.ToLower(e.From[0].Addr)
			if g == byDomain {
				k = analysis.OrgDomain(analysis.DomainOf(k))
			}
		case byReplyTo:
			if len(e.ReplyTo) == 0 {
				return nil
			}
			k = strings.ToLower(e.ReplyTo[0].Addr)
		case bySubject:
			k = analysis.NormalizeSubject(e.Subject, false)
		}
		if k == "" {
			return nil
		}
		return []string{k}
	}
}

// readKeys reads and analyses each message, fetchConcurrency at a time,
// and returns its campaign keys. Messages the cache knows are not read
// again; a message that cannot be read is counted and left out.
func readKeys(ctx context.Context, acct session.Account, ref mail.FolderRef, uids []mail.UID, cache *keyCache, lim evidence.Limits, p *jobs.Progress) (map[mail.UID]analysis.CampaignKeys, int, error) {
	out := make(map[mail.UID]analysis.CampaignKeys, len(uids))
	var (
		mu      sync.Mutex
		wg      sync.WaitGroup
		failed  int
		done    int
		lastErr error
	)
	sem := make(chan struct{}, fetchConcurrency)
	for _, uid := range uids {
		if k, ok := cache.get(ref, uid); ok {
			mu.Lock() // readers started earlier write out too
			out[uid] = k
			done++
			mu.Unlock()
			continue
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return nil, 0, ctx.Err()
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			raw, err := acct.Mailbox.Fetch(ctx, ref, uid, acct.MessageLimit)
			var k analysis.CampaignKeys
			if err == nil {
				k = evidence.Analyze(raw.Raw, lim).Campaign
				cache.put(ref, uid, k)
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failed++
				lastErr = err
			} else {
				out[uid] = k
			}
			done++
			p.Set(done, len(uids))
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	if len(uids) > 0 && failed == len(uids) {
		return nil, failed, fmt.Errorf("no message could be read: %w", lastErr)
	}
	return out, failed, nil
}

// group gathers envelopes by key, biggest group first (then the most
// recently active); a key only one message has is no campaign.
func group(envs []mail.Envelope, keys func(mail.Envelope) []string) []campaign {
	byKey := map[string]*campaign{}
	for _, e := range envs {
		t := e.SortTime()
		for _, k := range keys(e) {
			c := byKey[k]
			if c == nil {
				c = &campaign{key: k, first: t, last: t}
				byKey[k] = c
			}
			c.uids = append(c.uids, e.UID)
			if t.Before(c.first) {
				c.first = t
			}
			if t.After(c.last) {
				c.last = t
			}
		}
	}
	var out []campaign
	for _, c := range byKey {
		if len(c.uids) > 1 {
			slices.Sort(c.uids)
			out = append(out, *c)
		}
	}
	slices.SortFunc(out, func(a, b campaign) int {
		if c := cmp.Compare(len(b.uids), len(a.uids)); c != 0 {
			return c
		}
		if c := b.last.Compare(a.last); c != 0 {
			return c
		}
		return strings.Compare(a.key, b.key)
	})
	if len(out) > maxCampaigns {
		out = out[:maxCampaigns]
	}
	return out
}

// campaignsFound offers the groups; enter selects one.
func (m *Model) campaignsFound(msg campaignsMsg) tea.Cmd {
	if msg.gen != m.gen || m.open == nil {
		return nil
	}
	if msg.err != nil {
		return common.Error(fmt.Errorf("campaigns by %s: %w", msg.grouping.short(), msg.err))
	}
	note := fmt.Sprintf("%d messages looked at", msg.scanned)
	if msg.capped {
		note = fmt.Sprintf("the newest %d messages looked at", msg.scanned)
	}
	if msg.failed > 0 {
		note += fmt.Sprintf(", %d could not be read", msg.failed)
	}
	if len(msg.groups) == 0 {
		return common.Info(fmt.Sprintf("no campaign by %s: no two messages share one (%s)", msg.grouping.short(), note))
	}
	now := m.c.Now()
	items := make([]pickItem, len(msg.groups))
	for i, c := range msg.groups {
		span := formatDate(c.first, now)
		if !c.last.Equal(c.first) {
			span += " – " + formatDate(c.last, now)
		}
		items[i] = pickItem{label: fmt.Sprintf("%5d  %-27s  %s", len(c.uids), span, c.key), value: strconv.Itoa(i)}
	}
	title := fmt.Sprintf("%s by %s (%s) — count, first – last seen; enter selects", plural(len(msg.groups), "campaign", "campaigns"), msg.grouping.short(), note)
	groups, g, capped := msg.groups, msg.grouping, msg.capped
	m.overlay = newPicker(m.c, title, items, false, func(it pickItem, _ string) tea.Cmd {
		i, _ := strconv.Atoi(it.value)
		return m.selectCampaign(g, groups[i], capped)
	})
	return nil
}

// selectCampaign makes the campaign the selection. When only the newest
// messages were looked at, a server search finds the older members of an
// envelope grouping, each checked against the key before it is selected.
func (m *Model) selectCampaign(g grouping, c campaign, capped bool) tea.Cmd {
	f := m.open
	f.marked = map[mail.UID]bool{}
	for _, uid := range c.uids {
		if _, ok := searchUID(f.uids, uid); ok {
			f.marked[uid] = true
		}
	}
	info := common.Info(fmt.Sprintf("campaign %s %s: %d selected — m d t X act on all of them", g.short(), c.key, len(f.marked)))
	if !capped {
		return info
	}
	q, ok := campaignQuery(g, c.key)
	if !ok {
		return tea.Batch(info, common.Info(fmt.Sprintf("only the newest messages were grouped: older ones with this %s are not selected", g.short())))
	}
	acct, gen, name, ref := m.acct, m.gen, f.name, f.ref
	keys := envelopeKeys(g)
	return tea.Batch(info, common.RunJob(m.c.Common, jobs.Spec{Name: "find older " + g.short() + " " + c.key, Account: acct.Name},
		func(ctx context.Context, _ *jobs.Progress) ([]mail.UID, error) {
			got, found, err := acct.Mailbox.Search(ctx, name, q)
			if err != nil {
				return nil, err
			}
			if got.UIDValidity != ref.UIDValidity {
				return nil, mail.ErrUIDValidityChanged
			}
			var out []mail.UID
			for i := 0; i < len(found); i += envelopeBatch {
				envs, err := acct.Mailbox.Envelopes(ctx, ref, found[i:min(i+envelopeBatch, len(found))])
				if err != nil {
					return nil, err
				}
				for _, e := range envs {
					if slices.Contains(keys(e), c.key) {
						out = append(out, e.UID)
					}
				}
			}
			return out, nil
		},
		func(_ jobs.ID, uids []mail.UID, err error) tea.Msg {
			return likeFoundMsg{account: acct.Name, gen: gen, label: g.short() + " " + c.key + ", older messages", uids: uids, err: err}
		}))
}

// campaignQuery is the server search that narrows the older members of
// an envelope campaign (each is checked against the key afterwards).
func campaignQuery(g grouping, key string) (mail.Query, bool) {
	var t mail.Term
	switch g {
	case bySender, byDomain:
		t = mail.Term{Field: mail.FieldFrom, Value: key}
	case bySubject:
		t = mail.Term{Field: mail.FieldSubject, Value: key}
	default:
		return mail.Query{}, false
	}
	return mail.Query{Terms: []mail.Term{t}}, true
}

// scanLimits say how many of the newest messages a grouping looks at.
type scanLimits struct{ envelopes, bodies int }

// keyCache remembers the campaign keys of messages already read, up to
// maxKeys, dropping the oldest entries first. Jobs use it concurrently.
type keyCache struct {
	mu    sync.Mutex
	keys  map[cacheKey]analysis.CampaignKeys
	order []cacheKey
}

type cacheKey struct {
	folder mail.FolderRef
	uid    mail.UID
}

const maxKeys = 5000

func newKeyCache() *keyCache { return &keyCache{keys: map[cacheKey]analysis.CampaignKeys{}} }

func (c *keyCache) get(ref mail.FolderRef, uid mail.UID) (analysis.CampaignKeys, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k, ok := c.keys[cacheKey{folder: ref, uid: uid}]
	return k, ok
}

func (c *keyCache) put(ref mail.FolderRef, uid mail.UID, k analysis.CampaignKeys) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ck := cacheKey{folder: ref, uid: uid}
	if _, ok := c.keys[ck]; ok {
		return
	}
	if len(c.order) >= maxKeys {
		delete(c.keys, c.order[0])
		c.order = c.order[1:]
	}
	c.keys[ck] = k
	c.order = append(c.order, ck)
}

func (c *keyCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.keys)
}
