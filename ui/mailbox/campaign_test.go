package mailbox

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/backend/campaign"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/mail/mailtest"
	"github.com/mailtriage/mailtriage/ui/components"
)

// countingBox counts the messages read.
type countingBox struct {
	*mailtest.Mailbox
	fetches atomic.Int64
}

func (b *countingBox) Fetch(ctx context.Context, ref mail.FolderRef, uid mail.UID, limit int64) (*mail.RawMessage, error) {
	b.fetches.Add(1)
	return b.Mailbox.Fetch(ctx, ref, uid, limit)
}

type testMsg struct {
	from, replyTo, subject, body string
	attachment                   string // content of a single attachment, if any
}

// addMessages stores msgs in INBOX one minute apart, oldest first, and
// returns their UIDs.
func addMessages(mb *mailtest.Mailbox, msgs []testMsg) []mail.UID {
	var uids []mail.UID
	for i, tm := range msgs {
		when := testNow.Add(-time.Duration(len(msgs)-i) * time.Minute)
		env := mail.Envelope{Date: when, Received: when, From: []mail.Address{{Addr: tm.from}}, Subject: tm.subject}
		if tm.replyTo != "" {
			env.ReplyTo = []mail.Address{{Addr: tm.replyTo}}
		}
		raw := fmt.Sprintf("From: %s\r\nSubject: %s\r\nMessage-ID: <m%d@test>\r\n", tm.from, tm.subject, i)
		if tm.attachment == "" {
			raw += "Content-Type: text/html\r\n\r\n" + tm.body + "\r\n"
		} else {
			raw += "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n" + tm.body +
				"\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"a.bin\"\r\n\r\n" + tm.attachment + "\r\n--b--\r\n"
		}
		uids = append(uids, mb.Add("INBOX", env, []byte(raw)))
	}
	return uids
}

// campaigns picks the grouping whose label starts with grouping, then the
// campaign whose line contains key, and returns the selection.
func (h *harness) campaign(grouping, key string) []mail.UID {
	h.t.Helper()
	h.press("g")
	h.pickWhere(func(label string) bool { return strings.HasPrefix(label, grouping) }, "grouping "+grouping)
	if _, ok := h.m.overlay.(*pickerOverlay); !ok {
		h.t.Fatalf("no campaign picker after %s (infos %v, errs %v)", grouping, h.infos, h.errs)
	}
	h.pickWhere(func(label string) bool { return strings.HasSuffix(label, "  "+key) }, "campaign "+key)
	return h.selected()
}

// picker is the open picker; the test fails without one.
func (h *harness) picker() *components.Picker {
	h.t.Helper()
	o, ok := h.m.overlay.(*pickerOverlay)
	if !ok {
		h.t.Fatalf("no picker open: %T", h.m.overlay)
	}
	return o.p
}

// pickWhere moves the open picker's highlight, as the analyst would, to
// the first item whose label matches, and takes it.
func (h *harness) pickWhere(match func(label string) bool, what string) {
	h.t.Helper()
	p := h.picker()
	idx := slices.IndexFunc(p.Shown(), func(it components.PickItem) bool { return match(it.Label) })
	if idx < 0 {
		var labels []string
		for _, it := range p.Shown() {
			labels = append(labels, it.Label)
		}
		h.t.Fatalf("no %s among %q", what, labels)
	}
	for p.Cursor() < idx {
		h.press("down")
	}
	h.press("enter")
}

func (h *harness) selected() []mail.UID {
	var out []mail.UID
	for uid := range h.m.open.marked {
		out = append(out, uid)
	}
	slices.Sort(out)
	return out
}

func pick(uids []mail.UID, idx ...int) []mail.UID {
	out := make([]mail.UID, len(idx))
	for i, j := range idx {
		out[i] = uids[j]
	}
	slices.Sort(out)
	return out
}

func TestCampaignBySenderDomainSelectsItsMessages(t *testing.T) {
	mb := mailtest.New()
	mb.AddFolder("Junk", mail.RoleJunk)
	uids := addMessages(mb, []testMsg{
		{from: "a@evil.example", subject: "one"},
		{from: "x@good.example", subject: "two"},
		{from: "b@mail.evil.example", subject: "three"},
		{from: "y@good.example", subject: "four"},
		{from: "c@evil.example", subject: "five"},
		{from: "z@other.example", subject: "six"},
	})
	h := newHarness(t, mb, 120, 30)
	got := h.campaign("sender domain", "evil.example")
	if want := pick(uids, 0, 2, 4); !slices.Equal(got, want) {
		t.Fatalf("selected %v, want %v", got, want)
	}
	if !strings.Contains(h.infos[len(h.infos)-1], "3 selected") {
		t.Errorf("status %q", h.infos[len(h.infos)-1])
	}
	// One remediation covers the campaign.
	h.press("m")
	h.typeText("Junk")
	h.press("enter")
	if n := mb.Count("Junk"); n != 3 {
		t.Fatalf("%d messages in Junk after moving the campaign, want 3 (errs %v)", n, h.errs)
	}
}

func TestCampaignPickerShowsCountAndFirstLastSeen(t *testing.T) {
	mb := mailtest.New()
	addMessages(mb, []testMsg{
		{from: "a@evil.example", subject: "s"},
		{from: "a@evil.example", subject: "s"},
		{from: "b@evil.example", subject: "s"},
	})
	h := newHarness(t, mb, 120, 30)
	h.press("g")
	h.press("enter") // sender address
	out := h.screen()
	if !strings.Contains(out, "1 campaign by sender") || !strings.Contains(out, "    2  ") || !strings.Contains(out, "a@evil.example") {
		t.Fatalf("campaign picker:\n%s", out)
	}
	if p := h.picker(); len(p.Shown()) != 1 {
		t.Errorf("%d campaigns offered, want 1: a sender with one message is no campaign", len(p.Shown()))
	}
	if !strings.Contains(out, " – ") {
		t.Errorf("no first – last seen span:\n%s", out)
	}
}

func TestCampaignByReplyToAndSubject(t *testing.T) {
	mb := mailtest.New()
	uids := addMessages(mb, []testMsg{
		{from: "a@one.example", replyTo: "Payroll@Drop.example", subject: "Re: Invoice 42"},
		{from: "b@two.example", replyTo: "payroll@drop.example", subject: "FW: invoice   42"},
		{from: "c@three.example", subject: "[EXTERNAL] Invoice 42"},
		{from: "d@four.example", subject: "Invoice 43"},
	})
	h := newHarness(t, mb, 120, 30)
	if got, want := h.campaign("Reply-To", "payroll@drop.example"), pick(uids, 0, 1); !slices.Equal(got, want) {
		t.Fatalf("Reply-To campaign selected %v, want %v", got, want)
	}
	if got, want := h.campaign("subject", "invoice 42"), pick(uids, 0, 1, 2); !slices.Equal(got, want) {
		t.Fatalf("subject campaign selected %v, want %v", got, want)
	}
}

func TestCampaignByURLDomainReadsBodiesOnceThroughTheCache(t *testing.T) {
	mb := mailtest.New()
	uids := addMessages(mb, []testMsg{
		{from: "a@one.example", subject: "a", body: `<a href="https://login.phish.example/x">sign in</a>`},
		{from: "b@two.example", subject: "b", body: `<a href="https://news.example/">news</a>`},
		{from: "c@three.example", subject: "c", body: `<a href="http://cdn.phish.example/y?z=1">go</a>`},
		{from: "d@four.example", subject: "d", body: `no link`},
	})
	h := newHarness(t, mb, 120, 30)
	box := &countingBox{Mailbox: mb}
	h.m.acct.Mailbox = box
	if got, want := h.campaign("URL domain", "phish.example"), pick(uids, 0, 2); !slices.Equal(got, want) {
		t.Fatalf("URL campaign selected %v, want %v", got, want)
	}
	if n := box.fetches.Load(); n != 4 {
		t.Errorf("%d messages read, want 4", n)
	}
	if h.m.keyCache.Len() != 4 {
		t.Errorf("cache holds %d messages, want 4", h.m.keyCache.Len())
	}
	h.campaign("URL domain", "phish.example")
	if n := box.fetches.Load(); n != 4 {
		t.Errorf("grouping again read %d more messages; the cache should have answered", n-4)
	}
}

func TestCampaignByAttachmentHash(t *testing.T) {
	mb := mailtest.New()
	uids := addMessages(mb, []testMsg{
		{from: "a@one.example", subject: "a", attachment: "MZ evil payload"},
		{from: "b@two.example", subject: "b", attachment: "harmless"},
		{from: "c@three.example", subject: "c", attachment: "MZ evil payload"},
	})
	h := newHarness(t, mb, 120, 30)
	h.press("g")
	h.pickWhere(func(label string) bool { return label == campaign.Names[campaign.ByAttachment] }, "the attachment grouping")
	if p, ok := h.m.overlay.(*pickerOverlay); !ok || len(p.p.Shown()) != 1 {
		t.Fatalf("want one attachment campaign, got %v (%v)", ok, h.infos)
	}
	h.press("enter")
	if got, want := h.selected(), pick(uids, 0, 2); !slices.Equal(got, want) {
		t.Fatalf("attachment campaign selected %v, want %v", got, want)
	}
}

// When only the newest messages were grouped, the server finds the older
// members — and only those that really share the key are selected.
func TestCampaignBeyondTheScanFindsOlderMembersOnTheServer(t *testing.T) {
	mb := mailtest.New()
	uids := addMessages(mb, []testMsg{
		{from: "a@evil.example", subject: "old"},
		{from: "a@evil.example.net", subject: "look-alike: not the same sender"},
		{from: "x@good.example", subject: "filler"},
		{from: "a@evil.example", subject: "new 1"},
		{from: "a@evil.example", subject: "new 2"},
	})
	h := newHarness(t, mb, 120, 30)
	h.m.scan.envelopes = 2
	got := h.campaign("sender address", "a@evil.example")
	if want := pick(uids, 0, 3, 4); !slices.Equal(got, want) {
		t.Fatalf("selected %v, want %v (infos %v)", got, want, h.infos)
	}
}

func TestTopIsHomeAndGOpensCampaigns(t *testing.T) {
	mb := mailtest.New()
	mb.Generate("INBOX", 30, testNow)
	h := newHarness(t, mb, 120, 20)
	h.press("G")
	h.press("home")
	if h.m.open.cursor != 0 {
		t.Fatalf("home left the cursor on row %d", h.m.open.cursor)
	}
	h.press("g")
	if _, ok := h.m.overlay.(*pickerOverlay); !ok {
		t.Fatal("g did not open the campaign picker")
	}
}

// Half the messages known to the cache, half read: the two paths meet
// without a race (go test -race) and every message is grouped.
func TestCampaignMixesCachedAndReadMessages(t *testing.T) {
	mb := mailtest.New()
	var msgs []testMsg
	for i := range 12 {
		msgs = append(msgs, testMsg{from: fmt.Sprintf("s%d@x.example", i), subject: "s", body: `<a href="https://phish.example/">x</a>`})
	}
	uids := addMessages(mb, msgs)
	h := newHarness(t, mb, 120, 30)
	ref := h.m.open.ref
	for i, uid := range uids {
		if i%2 == 0 {
			h.m.keyCache.Put(ref, uid, analysis.CampaignKeys{URLDomains: []string{"phish.example"}})
		}
	}
	if got := h.campaign("URL domain", "phish.example"); len(got) != len(uids) {
		t.Fatalf("selected %d, want %d", len(got), len(uids))
	}
}
