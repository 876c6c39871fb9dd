// Starts GraphiQL on /graphql (strawberry's page, without the CDN and without inline script).
"use strict";
(function () {
  var EXAMPLE_QUERY =
    "# 广东政府采购智慧云平台 GraphQL API\n" +
    "# Log in first, then send the token as the header Authorization: Bearer <token>\n" +
    "mutation {\n" +
    '  login(username: "xn.admin", password: "Gpcloud#2021") { token errors { code message } }\n' +
    "}\n";
  var parameters = {};
  window.location.search.slice(1).split("&").forEach(function (entry) {
    var eq = entry.indexOf("=");
    if (eq >= 0) {
      parameters[decodeURIComponent(entry.slice(0, eq))] = decodeURIComponent(entry.slice(eq + 1));
    }
  });
  function updateURL(data) {
    Object.assign(parameters, data);
    var search = "?" + Object.keys(parameters)
      .filter(function (key) { return Boolean(parameters[key]); })
      .map(function (key) {
        return encodeURIComponent(key) + "=" + encodeURIComponent(parameters[key]);
      })
      .join("&");
    history.replaceState(null, null, search);
  }
  var fetcher = GraphiQL.createFetcher({ url: window.location.href.split("?")[0] });

  function App() {
    var query = React.useState(parameters.q || EXAMPLE_QUERY);
    var variables = React.useState(parameters.variables);
    var headers = React.useState(parameters.headers);
    function onEditQuery(q) { query[1](q); updateURL({ q: q }); }
    // This explorer build (plugin-explorer 0.x) is a hook fed the query it edits.
    var explorer = GraphiQLPluginExplorer.useExplorerPlugin({ query: query[0], onEdit: onEditQuery });
    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      plugins: [explorer],
      query: query[0],
      variables: variables[0],
      headers: headers[0],
      onEditQuery: onEditQuery,
      onEditVariables: function (v) { variables[1](v); updateURL({ variables: v }); },
      onEditHeaders: function (h) { headers[1](h); },
      inputValueDeprecation: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
    });
  }
  ReactDOM.render(React.createElement(App), document.getElementById("graphiql"));
})();
