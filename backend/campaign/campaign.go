// Package campaign groups the messages of a folder (or of a search) by
// what one campaign shares — the sender, its domain, the Reply-To, the
// normalised subject, a URL's domain, an attachment's SHA-256 — so that
// one action covers the whole campaign. Screens and commands call Scan;
// it reads envelopes (and bodies, for URL and attachment groupings)
// without touching the server's state.
package campaign

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/backend/evidence"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/reported"
)

// Grouping is what a campaign's messages share.
type Grouping int

// Groupings.
const (
	BySender Grouping = iota
	ByDomain
	ByReplyTo
	BySubject
	ByURLDomain
	ByAttachment
	// ByMessageID groups reports of one original (and copies of one
	// message in a folder).
	ByMessageID
)

// Names describe the groupings for a picker, in Grouping order.
var Names = []string{
	BySender:     "sender address",
	ByDomain:     "sender domain (registrable)",
	ByReplyTo:    "Reply-To address",
	BySubject:    "subject (normalized: no Re:/Fwd:/[EXTERNAL], case, spacing)",
	ByURLDomain:  "URL domain (reads every message: slower)",
	ByAttachment: "attachment SHA-256 (reads every message: slower)",
	ByMessageID:  "Message-ID (reports of one phish, copies of one message)",
}

// NeedsBody reports groupings that read and analyse each message.
func (g Grouping) NeedsBody() bool { return g == ByURLDomain || g == ByAttachment }

// Short is the grouping in a few words.
func (g Grouping) Short() string {
	return [...]string{"sender", "sender domain", "Reply-To", "subject", "URL domain", "attachment", "Message-ID"}[g]
}

const (
	// MaxEnvelopeScan is how many of the newest messages an envelope
	// grouping looks at; older members are found by a server search.
	MaxEnvelopeScan = 20000
	// MaxBodyScan is how many of the newest messages a URL or attachment
	// grouping reads.
	MaxBodyScan = 500
	// fetchConcurrency bounds the messages read at once.
	fetchConcurrency = 4
	envelopeBatch    = 500
	// maxCampaigns is how many groups a scan returns.
	maxCampaigns = 500
)

// Campaign is one group.
type Campaign struct {
	Key         string
	UIDs        []mail.UID
	First, Last time.Time
}

// Request is one scan.
type Request struct {
	Box      mail.Mailbox
	Folder   mail.FolderRef
	UIDs     []mail.UID
	Grouping Grouping
	// Known are envelopes the caller has already; the rest are fetched.
	Known map[mail.UID]mail.Envelope
	// Cache keeps what bodies yielded across scans (nil: none kept).
	Cache    *Cache
	MaxBytes int64
	Limits   evidence.Limits
	// Progress hears how many messages are done of how many.
	Progress func(done, total int)
}

// Result is what a scan found.
type Result struct {
	Groups  []Campaign
	Scanned int // messages looked at
	Failed  int // messages that could not be read
}

// Scan groups the request's messages; a key only one message has is no
// campaign.
func Scan(ctx context.Context, r Request) (Result, error) {
	if r.Progress == nil {
		r.Progress = func(int, int) {}
	}
	if r.Known == nil {
		r.Known = map[mail.UID]mail.Envelope{}
	}
	envs, err := completeEnvelopes(ctx, r.Box, r.Folder, r.UIDs, r.Known, r.Progress)
	if err != nil {
		return Result{}, err
	}
	keys := EnvelopeKeys(r.Grouping)
	failed := 0
	if r.Grouping.NeedsBody() {
		var bodyKeys map[mail.UID]analysis.CampaignKeys
		bodyKeys, failed, err = readKeys(ctx, r)
		if err != nil {
			return Result{}, err
		}
		keys = func(e mail.Envelope) []string {
			k := bodyKeys[e.UID]
			if r.Grouping == ByURLDomain {
				return k.URLDomains
			}
			return k.AttachmentSHA256
		}
	}
	return Result{Groups: group(envs, keys), Scanned: len(envs), Failed: failed}, nil
}

// FindOlder searches the whole folder for the members of an envelope
// campaign the scan did not look at, each checked against the key.
func FindOlder(ctx context.Context, box mail.Mailbox, ref mail.FolderRef, g Grouping, key string) ([]mail.UID, error) {
	q, ok := Query(g, key)
	if !ok {
		return nil, fmt.Errorf("a %s campaign cannot be searched for on the server", g.Short())
	}
	got, found, err := box.Search(ctx, ref.Name, q)
	if err != nil {
		return nil, err
	}
	if got.UIDValidity != ref.UIDValidity {
		return nil, mail.ErrUIDValidityChanged
	}
	keys := EnvelopeKeys(g)
	var out []mail.UID
	for i := 0; i < len(found); i += envelopeBatch {
		envs, err := box.Envelopes(ctx, ref, found[i:min(i+envelopeBatch, len(found))])
		if err != nil {
			return nil, err
		}
		for _, e := range envs {
			if slices.Contains(keys(e), key) {
				out = append(out, e.UID)
			}
		}
	}
	return out, nil
}

// completeEnvelopes returns the envelopes of uids, fetching those the
// list has not loaded.
func completeEnvelopes(ctx context.Context, box mail.Mailbox, ref mail.FolderRef, uids []mail.UID, known map[mail.UID]mail.Envelope, progress func(done, total int)) ([]mail.Envelope, error) {
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
		progress(i+len(batch), len(missing))
	}
	out := make([]mail.Envelope, 0, len(uids))
	for _, uid := range uids {
		if e, ok := known[uid]; ok {
			out = append(out, e)
		}
	}
	return out, nil
}

// EnvelopeKeys returns the key function of an envelope grouping.
func EnvelopeKeys(g Grouping) func(mail.Envelope) []string {
	return func(e mail.Envelope) []string {
		var k string
		switch g {
		case BySender, ByDomain:
			if len(e.From) == 0 {
				return nil
			}
			k = strings.ToLower(e.From[0].Addr)
			if g == ByDomain {
				k = analysis.OrgDomain(analysis.DomainOf(k))
			}
		case ByReplyTo:
			if len(e.ReplyTo) == 0 {
				return nil
			}
			k = strings.ToLower(e.ReplyTo[0].Addr)
		case BySubject:
			k = analysis.NormalizeSubject(e.Subject, false)
		case ByMessageID:
			k = strings.ToLower(strings.Trim(strings.TrimSpace(e.MessageID), "<>"))
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
func readKeys(ctx context.Context, r Request) (map[mail.UID]analysis.CampaignKeys, int, error) {
	ref, uids, cache := r.Folder, r.UIDs, r.Cache
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
		if k, ok := cache.Get(ref, uid); ok {
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
			raw, err := r.Box.Fetch(ctx, ref, uid, r.MaxBytes)
			var k analysis.CampaignKeys
			if err == nil {
				k = keysOf(raw.Raw, r.Limits)
				cache.Put(ref, uid, k)
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
			r.Progress(done, len(uids))
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
func group(envs []mail.Envelope, keys func(mail.Envelope) []string) []Campaign {
	byKey := map[string]*Campaign{}
	for _, e := range envs {
		t := e.SortTime()
		for _, k := range keys(e) {
			c := byKey[k]
			if c == nil {
				c = &Campaign{Key: k, First: t, Last: t}
				byKey[k] = c
			}
			c.UIDs = append(c.UIDs, e.UID)
			if t.Before(c.First) {
				c.First = t
			}
			if t.After(c.Last) {
				c.Last = t
			}
		}
	}
	var out []Campaign
	for _, c := range byKey {
		if len(c.UIDs) > 1 {
			slices.Sort(c.UIDs)
			out = append(out, *c)
		}
	}
	slices.SortFunc(out, func(a, b Campaign) int {
		if c := cmp.Compare(len(b.UIDs), len(a.UIDs)); c != 0 {
			return c
		}
		if c := b.Last.Compare(a.Last); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
	if len(out) > maxCampaigns {
		out = out[:maxCampaigns]
	}
	return out
}

// Query is the server search that narrows the older members of
// an envelope campaign (each is checked against the key afterwards).
func Query(g Grouping, key string) (mail.Query, bool) {
	var t mail.Term
	switch g {
	case BySender, ByDomain:
		t = mail.Term{Field: mail.FieldFrom, Value: key}
	case BySubject:
		t = mail.Term{Field: mail.FieldSubject, Value: key}
	default:
		return mail.Query{}, false
	}
	return mail.Query{Terms: []mail.Term{t}}, true
}

// Cache remembers the campaign keys of messages already read, up to
// MaxKeys, dropping the oldest entries first. Jobs use it concurrently.
type Cache struct {
	mu    sync.Mutex
	keys  map[cacheKey]analysis.CampaignKeys
	order []cacheKey
}

type cacheKey struct {
	folder mail.FolderRef
	uid    mail.UID
}

// MaxKeys bounds the cache.
const MaxKeys = 5000

// NewCache returns an empty cache.
func NewCache() *Cache { return &Cache{keys: map[cacheKey]analysis.CampaignKeys{}} }

// Get returns what a message yielded, if the cache knows it.
func (c *Cache) Get(ref mail.FolderRef, uid mail.UID) (analysis.CampaignKeys, bool) {
	if c == nil {
		return analysis.CampaignKeys{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	k, ok := c.keys[cacheKey{folder: ref, uid: uid}]
	return k, ok
}

// Put remembers what a message yielded, dropping the oldest entry when
// full.
func (c *Cache) Put(ref mail.FolderRef, uid mail.UID, k analysis.CampaignKeys) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	ck := cacheKey{folder: ref, uid: uid}
	if _, ok := c.keys[ck]; ok {
		return
	}
	if len(c.order) >= MaxKeys {
		delete(c.keys, c.order[0])
		c.order = c.order[1:]
	}
	c.keys[ck] = k
	c.order = append(c.order, ck)
}

// Len is how many messages the cache knows.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.keys)
}

// keysOf is the campaign keys of a message: for a report, of the
// reported original (its URLs, its attachments), never of the reporter's
// wrapper. The message is parsed once: recognition's parse (of the
// message, or of the original it keeps) is the analysis's.
func keysOf(raw []byte, lim evidence.Limits) analysis.CampaignKeys {
	p := mail.ParseMessage(raw)
	if r, ok := reported.RecognizeLimited(raw, p, reported.Limits{}); ok && len(r.Originals) > 0 {
		raw, p = r.Originals[0].Raw, r.Originals[0].Parsed
	}
	ev, _ := evidence.AnalyzeParsed(raw, p, lim)
	return ev.Campaign
}
