# syntax=docker/dockerfile:1
# livehook as a container image: a static binary on a distroless base (no shell, no libc),
# running as a non-root user.
#
#   docker build -t livehook .
#   docker run --rm livehook load --target http://host.docker.internal:8000/live/webhook --rate 100 --count 1000
#
# deploy/check.sh checks this file without a Docker engine: it parses it, runs the build stage's
# commands on a copy of the build context, and checks that the result is a static binary.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ENV CGO_ENABLED=0
RUN go build -trimpath -ldflags="-s -w -X main.Version=${VERSION}" -o bin/livehook .

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /src/bin/livehook /usr/local/bin/livehook
ENTRYPOINT ["/usr/local/bin/livehook"]
