package casehttp

var workRoutes, activityRoutes, contentRoutes, relationRoutes, configRoutes []apiRoute
