package mimecasttest

import (
	"slices"
	"strings"
	"time"
)

type trackingIn struct {
	SearchReason string `json:"searchReason"`
	Start        string `json:"start"`
	End          string `json:"end"`
	MessageID    string `json:"messageId"`
	Advanced     *struct {
		From     string `json:"from"`
		To       string `json:"to"`
		Subject  string `json:"subject"`
		SenderIP string `json:"senderIP"`
		Route    any    `json:"route"` // documented both as a string and as an array
	} `json:"advancedTrackAndTraceOptions"`
}

func (s *Server) trackingSearch(r *apiRequest) result {
	var in trackingIn
	_ = r.item(0, &in)
	adv := in.Advanced
	hasAdv := adv != nil && (adv.From != "" || adv.To != "" || adv.Subject != "" || adv.SenderIP != "")
	if (in.MessageID != "") == hasAdv {
		return failed(fail(r.Data, "err_validation_null", "give messageId or advancedTrackAndTraceOptions", "messageId"))
	}
	start, end := s.trackingRange(in.Start, in.End)
	var out []any
	for _, m := range s.st.tracked {
		if within(m.Received, start, end) && trackMatches(m, &in) {
			out = append(out, trackedOut(m))
		}
	}
	return s.pagedNested(r, "trackedEmails", out, nil)
}

// trackingRange defaults to the last 24 hours, as the message finder does.
func (s *Server) trackingRange(from, to string) (time.Time, time.Time) {
	end, ok := parseTime(to)
	if !ok {
		end = s.opts.Now()
	}
	start, ok := parseTime(from)
	if !ok {
		start = end.Add(-24 * time.Hour)
	}
	return start, end
}

func trackMatches(m TrackedMessage, in *trackingIn) bool {
	if in.MessageID != "" {
		return strings.EqualFold(strings.Trim(m.MessageID, "<>"), strings.Trim(in.MessageID, "<>"))
	}
	a := in.Advanced
	switch {
	case a.From != "" && !addressMatches(m.From, a.From):
		return false
	case a.To != "" && !slices.ContainsFunc(m.To, func(t string) bool { return addressMatches(t, a.To) }):
		return false
	case a.Subject != "" && !containsFold(m.Subject, a.Subject):
		return false
	case a.SenderIP != "" && m.SenderIP != a.SenderIP:
		return false
	}
	return routeMatches(a.Route, m.Route)
}

func routeMatches(route any, v string) bool {
	switch r := route.(type) {
	case string:
		return oneOrAll(r, v)
	case []any:
		return len(r) == 0 || slices.ContainsFunc(r, func(x any) bool { s, _ := x.(string); return strings.EqualFold(s, v) })
	}
	return true
}

func trackedOut(m TrackedMessage) any {
	return map[string]any{"id": m.ID, "status": m.Status, "info": m.Info,
		"received": apiTime(m.Received), "sent": apiTime(m.Sent), "subject": m.Subject,
		"senderIP": m.SenderIP, "route": m.Route, "spamScore": m.SpamScore,
		"detectionLevel": m.DetectionLevel, "attachments": len(m.Attachments) > 0,
		"fromEnv": addr(m.From, ""), "fromHdr": addr(m.From, m.FromName), "to": addrs(m.To)}
}

func (s *Server) messageInfo(r *apiRequest) result {
	return eachItem(r, func(in idIn) (any, *failure) {
		i := indexByID(s.st.tracked, in.ID, func(m TrackedMessage) string { return m.ID })
		if i < 0 {
			return nil, bad("err_message_not_found", "no tracked message with that id", "id")
		}
		return s.infoOut(s.st.tracked[i]), nil
	})
}

func summaryOut(m TrackedMessage) map[string]any {
	return map[string]any{"fromEnvelope": m.From, "fromHeader": m.From, "to": m.To, "cc": orEmpty(m.CC),
		"subject": m.Subject, "sent": apiTime(m.Sent), "processed": apiTime(m.Received),
		"attachments": orEmpty(m.Attachments), "textBody": m.TextBody, "htmlBody": "",
		"route": m.Route, "transmissionInfo": "250 2.0.0 Ok: queued"}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (s *Server) infoOut(m TrackedMessage) any {
	inbound := map[string]any{"remoteIp": m.SenderIP, "remoteHost": m.RemoteHost,
		"remoteServerGreeting": "220 " + m.RemoteHost + " ESMTP", "encryptionInfo": "TLSv1.3",
		"receiptEvent": "Accepted", "spamEvent": m.DetectionLevel, "processingServer": "eu-smtp-inbound-1",
		"binaryEmailSize": 4096, "transmissionSize": 4096, "transmissionStart": apiTime(m.Received),
		"transmissionEnd": apiTime(m.Received.Add(time.Second)), "messageExpiresIn": 30,
		"receiptAcknowledgement": "250 Ok", "components": []any{}}
	delivered := map[string]any{}
	if m.Status == "delivered" || m.Status == "released" {
		for _, to := range m.To {
			delivered[to] = map[string]any{"messageInfo": summaryOut(m), "policyInfo": policiesOut(m.Policies),
				"deliveryMetaInfo": map[string]any{"emailAddress": to, "remoteIp": "10.20.30.40",
					"remoteHost": "mx.internal." + domainOf(to), "deliveryEvent": "Delivered",
					"encryptionInfo": "TLSv1.2", "transmissionStart": apiTime(m.Received.Add(2 * time.Second)),
					"transmissionEnd": apiTime(m.Received.Add(3 * time.Second)), "components": []any{}}}
		}
	}
	purge := m.Received.AddDate(7, 0, 0)
	return map[string]any{"id": m.ID, "status": m.Status,
		"recipientInfo":    map[string]any{"messageInfo": summaryOut(m), "recipientMetaInfo": inbound},
		"deliveredMessage": delivered,
		"retentionInfo": map[string]any{"currentPurgeDate": apiTime(purge), "originalPurgeDate": apiTime(purge),
			"purgeBasedOn": "received", "retentionAdjustmentDays": 0, "litigationHoldInfo": []any{},
			"smartTags": []any{}, "fbrStamps": []any{}, "fbrExpireCheck": []any{}, "audits": []any{}},
		"spamInfo": map[string]any{"spamScore": m.SpamScore, "detectionLevel": m.DetectionLevel}}
}

func policiesOut(ps []AppliedPolicy) []any {
	out := make([]any, len(ps))
	for i, p := range ps {
		out[i] = map[string]any{"policyType": p.Type, "policyName": p.Name, "inherited": p.Inherited}
	}
	return out
}

func (s *Server) aliases(r *apiRequest) result {
	return eachItem(r, func(in struct {
		EmailAddress string `json:"emailAddress"`
	}) (any, *failure) {
		if !looksLikeAddress(in.EmailAddress) {
			return nil, bad("err_validation_invalid_email_address", "not an email address", "emailAddress")
		}
		list := []any{}
		for _, a := range s.st.aliases[strings.ToLower(in.EmailAddress)] {
			list = append(list, map[string]any{"emailAddress": a.EmailAddress, "displayName": a.DisplayName,
				"domain": a.Domain, "type": a.Type, "isInternal": a.Internal})
		}
		return map[string]any{"emailAddress": in.EmailAddress, "aliases": list}, nil
	})
}
