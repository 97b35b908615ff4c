package mimecasttest

import (
	"net/netip"
	"slices"
	"strings"
	"time"
)

var (
	eternalFrom = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	eternalTo   = time.Date(2100, 1, 1, 23, 59, 59, 0, time.UTC)
)

type partyIn struct {
	Type              string `json:"type"`
	EmailAddress      string `json:"emailAddress"`
	EmailDomain       string `json:"emailDomain"`
	GroupID           string `json:"groupId"`
	HeaderDisplayName string `json:"headerDisplayName"`
}

func (p *partyIn) value() string {
	for _, v := range []string{p.EmailAddress, p.EmailDomain, p.GroupID, p.HeaderDisplayName} {
		if v != "" {
			return v
		}
	}
	return ""
}

type policyIn struct {
	ID     string `json:"id"`
	Option string `json:"option"`
	Policy struct {
		Description string   `json:"description"`
		FromPart    string   `json:"fromPart"`
		From        *partyIn `json:"from"`
		To          *partyIn `json:"to"`
		FromType    string   `json:"fromType"`
		FromValue   string   `json:"fromValue"`
		ToType      string   `json:"toType"`
		ToValue     string   `json:"toValue"`
		Conditions  struct {
			SourceIPs []string `json:"sourceIPs"`
		} `json:"conditions"`
		Comment       string `json:"comment"`
		Bidirectional bool   `json:"bidirectional"`
		Override      bool   `json:"override"`
		FromDate      string `json:"fromDate"`
		ToDate        string `json:"toDate"`
	} `json:"policy"`
}

// sides reads from/to from the nested objects, else the flat fields.
func (in *policyIn) sides() (ft, fv, tt, tv string) {
	p := &in.Policy
	ft, fv, tt, tv = p.FromType, p.FromValue, p.ToType, p.ToValue
	if p.From != nil && p.From.Type != "" {
		ft, fv = p.From.Type, p.From.value()
	}
	if p.To != nil && p.To.Type != "" {
		tt, tv = p.To.Type, p.To.value()
	}
	if tt == "" {
		tt = "everyone"
	}
	return
}

func (s *Server) policyFrom(in policyIn) (Policy, *failure) {
	p := in.Policy
	if in.Option != "block_sender" && in.Option != "no_action" {
		return Policy{}, bad("err_validation_invalid_value", "option must be block_sender or no_action", "option")
	}
	if strings.TrimSpace(p.Description) == "" {
		return Policy{}, bad("err_validation_blank", "description must not be blank", "description")
	}
	ft, fv, tt, tv := in.sides()
	if f := s.checkSide("from", ft, fv); f != nil {
		return Policy{}, f
	}
	if f := s.checkSide("to", tt, tv); f != nil {
		return Policy{}, f
	}
	for _, c := range p.Conditions.SourceIPs {
		if _, err := netip.ParsePrefix(c); err != nil {
			return Policy{}, bad("err_validation_invalid_cidr", "source IP "+c+" is not CIDR notation", "conditions.sourceIPs")
		}
	}
	fromDate, _ := parseTime(p.FromDate)
	toDate, _ := parseTime(p.ToDate)
	return Policy{ID: in.ID, Option: in.Option, Description: p.Description, FromPart: p.FromPart,
		FromType: ft, FromValue: fv, ToType: tt, ToValue: tv, SourceIPs: p.Conditions.SourceIPs,
		Comment: p.Comment, Bidirectional: p.Bidirectional, Override: p.Override,
		FromDate: fromDate, ToDate: toDate}, nil
}

func (s *Server) checkSide(side, typ, value string) *failure {
	switch typ {
	case "everyone", "internal_addresses", "external_addresses", "free_mail_domains":
		return nil
	case "email_domain":
		if value == "" || strings.Contains(value, "@") {
			return bad("err_validation_invalid_domain", side+" domain is missing or has an @", side+".emailDomain")
		}
	case "individual_email_address":
		if !looksLikeAddress(value) {
			return bad("err_validation_invalid_email_address", side+" is not an email address", side+".emailAddress")
		}
	case "profile_group":
		if s.st.group(value) == nil {
			return bad("err_folder_not_found", side+" group does not exist", side+".groupId")
		}
	case "address_attribute_value", "header_display_name":
		if value == "" {
			return bad("err_validation_null", side+" value is required", side)
		}
	case "":
		return bad("err_validation_null", side+" type is required", side+".type")
	default:
		return bad("err_validation_invalid_value", side+" type "+typ+" is unknown", side+".type")
	}
	return nil
}

func (s *Server) createPolicy(r *apiRequest) result {
	return eachItem(r, func(in policyIn) (any, *failure) {
		p, f := s.policyFrom(in)
		if f != nil {
			return nil, f
		}
		now := s.opts.Now()
		p.LastUpdated = now
		if p.ID == "" {
			p.ID, p.CreateTime = nextID(), now
			s.st.policies = append(s.st.policies, p)
			return policyOut(p), nil
		}
		i := indexByID(s.st.policies, p.ID, func(p Policy) string { return p.ID })
		if i < 0 {
			return nil, bad("err_policy_not_found", "no policy with that id", "id")
		}
		p.CreateTime = s.st.policies[i].CreateTime
		s.st.policies[i] = p
		return policyOut(p), nil
	})
}

func (s *Server) getPolicy(r *apiRequest) result {
	var in idIn
	_ = r.item(0, &in)
	if in.ID == "" {
		return s.pagedDirect(r, mapSlice(s.st.policies, policyOut))
	}
	i := indexByID(s.st.policies, in.ID, func(p Policy) string { return p.ID })
	if i < 0 {
		return result{status: 404} // as recorded: status 404, empty data and fail
	}
	return ok(policyOut(s.st.policies[i]))
}

func (s *Server) deletePolicy(r *apiRequest) result {
	var in idIn
	_ = r.item(0, &in)
	i := indexByID(s.st.policies, in.ID, func(p Policy) string { return p.ID })
	if i < 0 {
		return result{status: 404}
	}
	s.st.policies = slices.Delete(s.st.policies, i, i+1)
	return ok(map[string]any{"id": in.ID, "deleted": true})
}

func partyOut(typ, value string) map[string]any {
	m := map[string]any{"type": typ}
	switch typ {
	case "email_domain":
		m["emailDomain"] = value
	case "profile_group":
		m["groupId"] = value
	case "individual_email_address":
		m["emailAddress"] = value
	case "header_display_name":
		m["headerDisplayName"] = value
	}
	return m
}

func policyOut(p Policy) any {
	from, to := p.FromDate, p.ToDate
	if from.IsZero() {
		from = eternalFrom
	}
	if to.IsZero() {
		to = eternalTo
	}
	conditions := map[string]any{}
	if len(p.SourceIPs) > 0 {
		conditions["sourceIPs"] = p.SourceIPs
	}
	fromPart := p.FromPart
	if fromPart == "" {
		fromPart = "envelope_from"
	}
	return map[string]any{"id": p.ID, "option": p.Option, "policy": map[string]any{
		"description": p.Description, "fromPart": fromPart,
		"from": partyOut(p.FromType, p.FromValue), "to": partyOut(p.ToType, p.ToValue),
		"fromType": p.FromType, "fromValue": p.FromValue, "toType": p.ToType, "toValue": p.ToValue,
		"conditions": conditions, "comment": p.Comment,
		"bidirectional": p.Bidirectional, "override": p.Override,
		"fromEternal": p.FromDate.IsZero(), "toEternal": p.ToDate.IsZero(),
		"fromDate": apiTime(from), "toDate": apiTime(to),
		"enabled": true, "enforced": false,
		"createTime": apiTime(p.CreateTime), "lastUpdated": apiTime(p.LastUpdated),
	}}
}

func mapSlice[T any](in []T, f func(T) any) []any {
	out := make([]any, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}
