# KoG-Portal. The two commands a newcomer needs:
#   make run    the portal on http://localhost:3000 (SQLite in ./data, demo login)
#   make test   every test: go vet, Go tests, browser journeys with axe-core
SHELL := /bin/bash
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
KERN := node_modules/@kern-ux/native/dist
VENDOR := static/vendor

.PHONY: run build assets test test-go test-e2e vet docker clean

run: assets
	go run .

build: assets
	CGO_ENABLED=1 go build -trimpath -o bin/kog .

# npm installs exactly what package-lock.json pins; the copy puts the files
# where go:embed picks them up.
node_modules/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: node_modules/.stamp
	mkdir -p $(VENDOR)/kern/fonts $(VENDOR)/htmx
	cp $(KERN)/kern.min.css $(VENDOR)/kern/
	cp -r $(KERN)/fonts/fira-sans $(KERN)/fonts/fira-sans.css $(VENDOR)/kern/fonts/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/

vet: assets
	go vet ./...

test: vet test-go test-e2e

test-go: assets
	go test -count=1 ./...

test-e2e: build
	node --test e2e/*.test.mjs

docker:
	docker build -t kog-portal .

clean:
	rm -rf bin $(VENDOR)/kern $(VENDOR)/htmx
