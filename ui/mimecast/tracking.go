package mimecast

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/mimecast"
)

func trackedRows(ts []mimecast.TrackedMessage) [][]string {
	rows := make([][]string, len(ts))
	for i, t := range ts {
		to := make([]string, len(t.To))
		for j, a := range t.To {
			to[j] = a.EmailAddress
		}
		from := t.FromHdr.EmailAddress
		if from == "" {
			from = t.FromEnv.EmailAddress
		}
		rows[i] = []string{stamp(t.Received), from, strings.Join(to, ", "), t.Subject, t.Status, t.SenderIP}
	}
	return rows
}

func (m *Model) track(q *mimecast.TrackingQuery) tea.Cmd {
	m.trackQ = q
	query := *q
	m.panes[paneTracking].detail = nil
	return load(m, paneTracking, "track messages", true, func(ctx context.Context, cl Gateway, opts mimecast.ListOptions) ([]mimecast.TrackedMessage, error) {
		return cl.SearchMessages(ctx, query, opts)
	})
}

func (m *Model) trackingKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Search):
		return m.trackingForm()
	case key.Matches(msg, k.ByID):
		return m.infoByIDForm()
	case key.Matches(msg, k.Open):
		if i := m.selected(paneTracking, len(m.tracked)); i >= 0 {
			t := m.tracked[i]
			return m.fetchDetail(paneTracking, "message info "+t.Subject, func(ctx context.Context, cl Gateway) (*detail, error) {
				info, err := cl.MessageInfo(ctx, t.ID)
				if err != nil {
					return nil, err
				}
				return infoDetail(t, info), nil
			})
		}
	}
	return nil
}

// routes are the tracking route filter's choices; "" is any.
var routes = []string{"", "inbound", "outbound", "internal"}

// trackingForm asks for a search by Message-ID, or by sender, recipient,
// subject and sender IP, in a time window.
func (m *Model) trackingForm() tea.Cmd {
	q := mimecast.TrackingQuery{SearchReason: "triage"}
	if m.trackQ != nil {
		q = *m.trackQ
	}
	route := ""
	if len(q.Routes) == 1 {
		route = q.Routes[0]
	}
	now := m.c.Now()
	submit := func(f *form) (tea.Cmd, error) {
		nq := &mimecast.TrackingQuery{MessageID: f.Value("id"), From: f.Value("from"), To: f.Value("to"),
			Subject: f.Value("subject"), SenderIP: f.Value("ip"), SearchReason: f.Value("reason")}
		if r := f.Value("route"); r != "" {
			nq.Routes = []string{r}
		}
		var err error
		if nq.Start, err = parseWhen("since", f.Value("start"), now); err != nil {
			return nil, err
		}
		if nq.End, err = parseWhen("until", f.Value("end"), now); err != nil {
			return nil, err
		}
		if err := checkTracking(nq); err != nil {
			return nil, err
		}
		return m.track(nq), nil
	}
	m.form = m.newForm("Track messages", submit,
		textField("id", "Message-ID", q.MessageID, "alone: finds that message (brackets optional)"),
		textField("from", "Sender", q.From, "address or domain"),
		textField("to", "Recipient", q.To, "address or domain"),
		textField("subject", "Subject", q.Subject, ""),
		textField("ip", "Sender IP", q.SenderIP, "e.g. 203.0.113.66"),
		textField("start", "Since", when(q.Start), "YYYY-MM-DD [HH:MM] or an age: 24h, 7d; empty: the server's default"),
		textField("end", "Until", when(q.End), "YYYY-MM-DD [HH:MM] or an age; empty: now"),
		choiceField("route", "Route", routes, []string{"any", "inbound", "outbound", "internal"}, route),
		textField("reason", "Reason", q.SearchReason, "recorded in Mimecast's audit log"),
	)
	return nil
}

// checkTracking refuses, before sending, what the server would.
func checkTracking(q *mimecast.TrackingQuery) error {
	adv := q.From != "" || q.To != "" || q.Subject != "" || q.SenderIP != ""
	switch {
	case q.MessageID != "" && adv:
		return errors.New("search by Message-ID alone, or by sender/recipient/subject/IP: not both")
	case q.MessageID == "" && !adv:
		return errors.New("give a Message-ID, or a sender, recipient, subject or sender IP")
	case !q.End.IsZero() && q.End.Before(q.Start):
		return errors.New("until is before since")
	}
	if q.SenderIP != "" {
		if _, err := netip.ParseAddr(q.SenderIP); err != nil {
			return fmt.Errorf("sender IP: %q is not an IP address", q.SenderIP)
		}
	}
	return nil
}

// parseWhen reads a time: a date, a date and time, or an age before now.
func parseWhen(field, s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if n := len(s); n > 1 && (s[n-1] == 'd' || s[n-1] == 'h' || s[n-1] == 'm') {
		if v, err := strconv.Atoi(s[:n-1]); err == nil && v >= 0 {
			unit := map[byte]time.Duration{'d': 24 * time.Hour, 'h': time.Hour, 'm': time.Minute}[s[n-1]]
			return now.Add(-time.Duration(v) * unit), nil
		}
	}
	for _, layout := range []string{"2006-01-02 15:04", time.DateOnly} {
		if t, err := time.ParseInLocation(layout, s, now.Location()); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%s: %q is not YYYY-MM-DD, YYYY-MM-DD HH:MM or an age like 24h or 7d", field, s)
}

func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02 15:04")
}

func querySummary(q *mimecast.TrackingQuery) string {
	if q == nil {
		return ""
	}
	if q.MessageID != "" {
		return " · Message-ID " + q.MessageID
	}
	parts := []string{}
	add := func(label, v string) {
		if v != "" {
			parts = append(parts, label+" "+v)
		}
	}
	add("from", q.From)
	add("to", q.To)
	add("subject", q.Subject)
	add("IP", q.SenderIP)
	return " · " + strings.Join(parts, ", ")
}

// infoDetail is a tracked message's route through the gateway: how it
// came in, where it went for each recipient, and the policies that acted.
func infoDetail(t mimecast.TrackedMessage, info mimecast.MessageInfo) *detail {
	in := info.RecipientInfo
	d := &detail{title: "Message info: " + in.MessageInfo.Subject}
	d.add("Status", joinNonEmpty(" · ", info.Status, t.Info))
	d.add("Subject", in.MessageInfo.Subject)
	d.add("From (envelope)", in.MessageInfo.FromEnvelope)
	d.add("From (header)", in.MessageInfo.FromHeader)
	d.add("To", strings.Join(in.MessageInfo.To, ", "))
	d.addIf("Cc", strings.Join(in.MessageInfo.CC, ", "))
	d.addIf("Sent", stamp(in.MessageInfo.Sent))
	d.addIf("Processed", stamp(in.MessageInfo.Processed))
	d.addIf("Route", in.MessageInfo.Route)
	d.addIf("Attachments", strings.Join(in.MessageInfo.Attachments, ", "))
	d.add("Spam", fmt.Sprintf("score %d, detection level %s", info.SpamInfo.SpamScore, info.SpamInfo.DetectionLevel))
	d.section("Received from")
	leg(d, in.RecipientMetaInfo)
	if len(info.DeliveredMessage) == 0 {
		d.section("Delivery")
		d.add("Delivered", "not delivered ("+info.Status+")")
	}
	for _, rcpt := range info.Recipients() {
		dl := info.DeliveredMessage[rcpt]
		d.section("Delivered to " + rcpt)
		leg(d, dl.DeliveryMetaInfo)
		if len(dl.PolicyInfo) == 0 {
			d.add("Policies", "none reported")
		}
		for i, p := range dl.PolicyInfo {
			label := ""
			if i == 0 {
				label = "Policies"
			}
			s := p.PolicyType + ": " + p.PolicyName
			if p.Inherited {
				s += " (inherited)"
			}
			d.add(label, s)
		}
	}
	r := info.RetentionInfo
	if !r.CurrentPurgeDate.IsZero() || len(r.SmartTags) > 0 || len(r.LitigationHoldInfo) > 0 {
		d.section("Retention")
		d.addIf("Purge date", stamp(r.CurrentPurgeDate))
		d.addIf("Based on", r.PurgeBasedOn)
		d.addIf("Litigation hold", strings.Join(r.LitigationHoldInfo, ", "))
		d.addIf("Smart tags", strings.Join(r.SmartTags, ", "))
	}
	d.section("Ids")
	d.add("Mimecast id", info.ID)
	return d
}

// leg is one SMTP leg of a message's route.
func leg(d *detail, t mimecast.TransportInfo) {
	d.addIf("Address", t.EmailAddress)
	d.addIf("Remote", joinNonEmpty(" ", t.RemoteHost, bracket(t.RemoteIP)))
	d.addIf("Greeting", t.RemoteServerGreeting)
	d.addIf("Encryption", t.EncryptionInfo)
	d.addIf("Receipt", t.ReceiptEvent)
	d.addIf("Delivery", t.DeliveryEvent)
	d.addIf("Spam event", t.SpamEvent)
	d.addIf("Acknowledged", t.ReceiptAcknowledgement)
	d.addIf("Processed by", t.ProcessingServer)
	if !t.TransmissionStart.IsZero() {
		d.add("Transmission", stamp(t.TransmissionStart)+" → "+stamp(t.TransmissionEnd))
	}
	if t.BinaryEmailSize > 0 {
		d.add("Size", fmt.Sprintf("%d bytes", t.BinaryEmailSize))
	}
}

func bracket(s string) string {
	if s == "" {
		return ""
	}
	return "[" + s + "]"
}
