package playbook

import (
	"embed"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

//go:embed library/*.yaml
var libraryFS embed.FS

// builtin parses the embedded library once. A broken built-in playbook is
// a bug in this package, caught by TestLibrary, so it panics.
var builtin = sync.OnceValue(func() []*Playbook {
	entries, err := libraryFS.ReadDir("library")
	if err != nil {
		panic(err)
	}
	var pbs []*Playbook
	for _, e := range entries {
		name := path.Join("library", e.Name())
		data, err := libraryFS.ReadFile(name)
		if err != nil {
			panic(err)
		}
		pb, err := parseFile(name, data)
		if err != nil {
			panic(err)
		}
		pbs = append(pbs, pb)
	}
	sortByID(pbs)
	return pbs
})

// Library returns the built-in playbooks, sorted by id.
func Library() []*Playbook {
	return slices.Clone(builtin())
}

// LoadDir returns the built-in playbooks together with those in the files
// dir/*.yaml and dir/*.yml, sorted by id. Other files, hidden files and
// subfolders are ignored. Each file must be named after its playbook's id
// (bec.yaml holds id: bec). A file may replace a built-in playbook by
// using its id, so an organisation can adapt the library to its own
// departments; Source then names the file. Every file is validated and
// every problem is returned, naming its file; on any problem LoadDir
// returns no playbooks.
func LoadDir(dir string) ([]*Playbook, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("playbook: read folder: %w", err)
	}
	byID := map[string]*Playbook{}
	for _, pb := range builtin() {
		byID[pb.ID] = pb
	}
	fromDir := map[string]string{}
	var errs []error
	for _, e := range entries {
		ext := filepath.Ext(e.Name())
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") || (ext != ".yaml" && ext != ".yml") {
			continue
		}
		file := filepath.Join(dir, e.Name())
		data, err := readLimited(file)
		if err != nil {
			errs = append(errs, fmt.Errorf("playbook: %w", err))
			continue
		}
		pb, err := parseFile(file, data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if other, dup := fromDir[pb.ID]; dup {
			errs = append(errs, &ValidationError{File: file, Field: "id", Problem: fmt.Sprintf("%q is already defined by %s", pb.ID, other)})
			continue
		}
		fromDir[pb.ID] = file
		byID[pb.ID] = pb
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	pbs := make([]*Playbook, 0, len(byID))
	for _, pb := range byID {
		pbs = append(pbs, pb)
	}
	sortByID(pbs)
	return pbs, nil
}

// Find returns the playbook with the given id, the case type.
func Find(pbs []*Playbook, id string) (*Playbook, bool) {
	i := slices.IndexFunc(pbs, func(pb *Playbook) bool { return pb.ID == id })
	if i < 0 {
		return nil, false
	}
	return pbs[i], true
}

// parseFile parses a playbook that lives in a file and checks that the
// file is named after its id, so that finding a playbook's file is easy.
func parseFile(name string, data []byte) (*Playbook, error) {
	pb, err := Parse(name, data)
	if err != nil {
		return nil, err
	}
	base := filepath.Base(name)
	if stem := strings.TrimSuffix(base, filepath.Ext(base)); stem != pb.ID {
		return nil, &ValidationError{File: name, Field: "id", Problem: fmt.Sprintf("%q does not match the file name; name the file %s.yaml", pb.ID, pb.ID)}
	}
	return pb, nil
}

// readLimited reads at most one byte more than MaxSize, enough for Parse
// to refuse a file that is too large without reading all of it.
func readLimited(file string) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, MaxSize+1))
}

func sortByID(pbs []*Playbook) {
	slices.SortFunc(pbs, func(a, b *Playbook) int { return strings.Compare(a.ID, b.ID) })
}
