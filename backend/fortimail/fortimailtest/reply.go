package fortimailtest

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// Object is a FortiMail object as JSON: wire names to values.
type Object = map[string]any

// errorType values. 0, 3 and 7 are FortiMail's; errInvalid is invented
// (the real code of a rejected value or duplicate name was not captured).
const (
	errNotFound     = 3
	errAccessDenied = 7
	errInvalid      = 1
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status, typ int, msg string) {
	writeJSON(w, status, Object{"errorType": typ, "errorMsg": msg, "reqAction": 1})
}

func notFound(w http.ResponseWriter, verb, resource string) {
	writeError(w, http.StatusNotFound, errNotFound, "Failed to retrieve object :"+verb+" object ("+resource+") ")
}

func invalid(w http.ResponseWriter, msg string) {
	writeError(w, http.StatusBadRequest, errInvalid, "Failed: "+msg)
}

func methodNotAllowed(w http.ResponseWriter, resource string) {
	writeError(w, http.StatusMethodNotAllowed, errInvalid, "Failed: Method not allowed ("+resource+") ")
}

// writeObject answers with one object in the single-object envelope.
func writeObject(w http.ResponseWriter, objectID string, reqAction int, obj Object) {
	out := make(Object, len(obj)+3)
	for k, v := range obj {
		out[k] = v
	}
	out["objectID"] = objectID
	out["reqAction"] = reqAction
	out["nodePermission"] = 3
	writeJSON(w, http.StatusOK, out)
}

// writeCollection answers with the collection envelope, one page of it:
// see paging.go.
func writeCollection(w http.ResponseWriter, r *http.Request, objectID string, items []Object) {
	if items == nil {
		items = []Object{}
	}
	pg := pagingOf(r)
	start, size, err := pg.window(r.URL.Query())
	if err != nil {
		invalid(w, err.Error())
		return
	}
	start = min(start, len(items))
	page := items[start:min(start+size, len(items))]
	next := start+len(page) < len(items) && !pg.endPaging
	writeJSON(w, http.StatusOK, Object{
		"objectID": objectID, "reqAction": 1, "nodePermission": 3,
		"totalRemoteCount": len(items), "subCount": len(page),
		"remoteSorting": true, "nextPage": next, "collection": page,
	})
}

func writeRemoved(w http.ResponseWriter, resource, key string) {
	writeJSON(w, http.StatusOK, Object{
		"errorType": 0, "errorMsg": "Successful:Remove object (" + resource + ") ",
		"objectID": resource + ":" + key, "reqAction": 3,
	})
}

// reqAction reads the body's reqAction, sent as a number or a string.
func reqAction(in Object, dflt int) int {
	switch v := in["reqAction"].(type) {
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return int(n)
		}
	case string:
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	return dflt
}
