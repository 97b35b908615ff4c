package mimecasttest

import (
	"slices"
	"strings"
)

type heldIn struct {
	Admin    bool   `json:"admin"`
	Start    string `json:"start"`
	End      string `json:"end"`
	SearchBy *struct {
		FieldName string `json:"fieldName"`
		Value     string `json:"value"`
	} `json:"searchBy"`
	FilterBy []struct {
		Route     string `json:"route"`
		HeldGroup string `json:"heldGroup"`
	} `json:"filterBy"`
}

func (s *Server) heldList(r *apiRequest) result {
	var in heldIn
	_ = r.item(0, &in)
	var out []any
	for _, m := range s.st.held {
		if s.heldMatches(m, &in) {
			out = append(out, heldOut(m))
		}
	}
	return s.pagedDirect(r, out)
}

func (s *Server) heldMatches(m HeldMessage, in *heldIn) bool {
	if !in.Admin && !strings.EqualFold(m.To, s.opts.APIUser) {
		return false
	}
	if t, ok := parseTime(in.Start); ok && m.Received.Before(t) {
		return false
	}
	if t, ok := parseTime(in.End); ok && m.Received.After(t) {
		return false
	}
	if sb := in.SearchBy; sb != nil && sb.Value != "" {
		fields := map[string]string{"subject": m.Subject, "sender": m.From, "recipient": m.To, "reason_code": m.ReasonCode}
		hay, known := fields[sb.FieldName]
		if !known {
			hay = m.Subject + " " + m.From + " " + m.To + " " + m.ReasonCode
		}
		if !containsFold(hay, sb.Value) {
			return false
		}
	}
	for _, f := range in.FilterBy {
		if !oneOrAll(f.Route, m.Route) || (f.HeldGroup != "" && !strings.EqualFold(f.HeldGroup, m.HeldGroup)) {
			return false
		}
	}
	return true
}

func heldOut(m HeldMessage) any {
	return map[string]any{"id": m.ID, "dateReceived": apiTime(m.Received), "subject": m.Subject,
		"size": m.Size, "hasAttachments": m.HasAttachments, "route": m.Route, "reason": m.Reason,
		"reasonCode": m.ReasonCode, "reasonId": m.ReasonID, "policyInfo": m.PolicyInfo,
		"from": addr(m.From, m.FromName), "fromHeader": addr(m.From, m.FromName),
		"to": addr(m.To, ""), "toHeader": addr(m.To, "")}
}

// takeHeld removes a held message and marks its tracking entry.
func (s *Server) takeHeld(id, status string) bool {
	i := indexByID(s.st.held, id, func(m HeldMessage) string { return m.ID })
	if i < 0 {
		return false
	}
	s.st.held = slices.Delete(s.st.held, i, i+1)
	if j := indexByID(s.st.tracked, id, func(m TrackedMessage) string { return m.ID }); j >= 0 {
		s.st.tracked[j].Status = status
	}
	return true
}

func (s *Server) holdRelease(r *apiRequest) result {
	return eachItem(r, func(in idIn) (any, *failure) {
		if !s.takeHeld(in.ID, "released") {
			return nil, bad("err_hold_message_not_found", "no held message with that id", "id")
		}
		return map[string]any{"id": in.ID, "release": true}, nil
	})
}

func (s *Server) holdReject(r *apiRequest) result {
	var in struct {
		IDs        []string `json:"ids"`
		Message    string   `json:"message"`
		ReasonType string   `json:"reasonType"`
		Notify     bool     `json:"notify"`
	}
	_ = r.item(0, &in)
	if len(in.IDs) == 0 {
		return failed(fail(r.Data, "err_validation_null", "ids is required", "ids"))
	}
	var res result
	for _, id := range in.IDs {
		if s.takeHeld(id, "rejected") {
			res.data = append(res.data, map[string]any{"id": id, "reject": true})
		} else {
			res.fail = append(res.fail, fail(map[string]any{"id": id}, "err_hold_message_not_found", "no held message with that id", "id"))
		}
	}
	return res
}
