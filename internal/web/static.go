package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var staticFS embed.FS

// assets serves the embedded static files. Pages link them with a version
// query string (the start of the file's SHA-256), so a file can be cached
// for a year and a new build still reaches every browser at once.
type assets struct {
	files   fs.FS
	version map[string]string // file name → content hash prefix
}

func newAssets() *assets {
	files, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err)
	}
	a := &assets{files: files, version: map[string]string{}}
	err = fs.WalkDir(files, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(files, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		a.version[name] = hex.EncodeToString(sum[:])[:16]
		return nil
	})
	if err != nil {
		panic(err)
	}
	return a
}

// contentTypes fixes the types of the files we ship: the system's MIME
// table may say otherwise (application/javascript, text/plain), and with
// nosniff a wrong type stops a script or a style sheet.
var contentTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".svg": "image/svg+xml",
}

// url is the versioned address of a static file; templates call it as
// {{static "app.css"}}. An unknown name is a template error, caught by the tests.
func (a *assets) url(name string) (string, error) {
	v, ok := a.version[name]
	if !ok {
		return "", fs.ErrNotExist
	}
	return "/static/" + name + "?v=" + v, nil
}

// ServeHTTP serves GET /static/{name}. Only the embedded files exist:
// no directory listings.
func (a *assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/static/")
	v, ok := a.version[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if r.URL.Query().Get("v") == v {
		// The URL names this exact content: it can never change.
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	if ct, ok := contentTypes[path.Ext(name)]; ok {
		w.Header().Set("Content-Type", ct)
	}
	w.Header().Set("ETag", `"`+v+`"`)
	http.ServeFileFS(w, r, a.files, name)
}
