package mimecasttest

import "encoding/json"

// routes maps every served path to its operation.
var routes = map[string]handler{
	"/api/policy/blockedsenders/create-policy":  (*Server).createPolicy,
	"/api/policy/blockedsenders/get-policy":     (*Server).getPolicy,
	"/api/policy/blockedsenders/delete-policy":  (*Server).deletePolicy,
	"/api/directory/find-groups":                (*Server).findGroups,
	"/api/directory/create-group":               (*Server).createGroup,
	"/api/directory/update-group":               (*Server).updateGroup,
	"/api/directory/delete-group":               (*Server).deleteGroup,
	"/api/directory/get-group-members":          (*Server).groupMembers,
	"/api/directory/add-group-member":           (*Server).addMember,
	"/api/directory/remove-group-member":        (*Server).removeMember,
	"/api/managedsender/permit-or-block-sender": (*Server).permitOrBlock,
	"/api/managedsender/get-managed-senders":    (*Server).managedSenders,
	"/api/ttp/url/get-all-managed-urls":         (*Server).managedURLs,
	"/api/ttp/url/create-managed-url":           (*Server).createManagedURL,
	"/api/ttp/url/delete-managed-url":           (*Server).deleteManagedURL,
	"/api/ttp/url/decode-url":                   (*Server).decodeURL,
	"/api/ttp/url/get-logs":                     (*Server).clickLogs,
	"/api/archive/get-message-list":             (*Server).messageList,
	"/api/archive/get-message-detail":           (*Server).messageDetail,
	"/api/archive/search":                       (*Server).archiveSearch,
	"/api/archive/get-search-logs":              (*Server).searchLogs,
	"/api/archive/get-archive-search-logs":      (*Server).searchLogs,
	"/api/message-finder/search":                (*Server).trackingSearch,
	"/api/tracking/search":                      (*Server).trackingSearch,
	"/api/message-finder/get-message-info":      (*Server).messageInfo,
	"/api/tracking/get-message-info":            (*Server).messageInfo,
	"/api/user/get-aliases":                     (*Server).aliases,
	"/api/gateway/get-hold-message-list":        (*Server).heldList,
	"/api/gateway/hold-release":                 (*Server).holdRelease,
	"/api/gateway/hold-reject":                  (*Server).holdReject,
}

// eachItem runs f on every data item, as the API treats several items as
// several calls: successes go to data[], failures to fail[] with the item
// echoed as key.
func eachItem[T any](r *apiRequest, f func(T) (any, *failure)) result {
	if len(r.Data) == 0 {
		return failed(fail(nil, "err_validation_null", "data must hold at least one item", "data"))
	}
	var res result
	for _, raw := range r.Data {
		var in T
		if err := json.Unmarshal(raw, &in); err != nil {
			res.fail = append(res.fail, fail(raw, "err_validation_invalid_json", "item does not have the expected fields", ""))
			continue
		}
		out, bad := f(in)
		if bad != nil {
			if bad.Key == nil {
				bad.Key = raw
			}
			res.fail = append(res.fail, *bad)
			continue
		}
		if out != nil {
			res.data = append(res.data, out)
		}
	}
	return res
}

func bad(code, message, field string) *failure {
	f := fail(nil, code, message, field)
	return &f
}

type idIn struct {
	ID string `json:"id"`
}
