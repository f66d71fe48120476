// `import x from '…' with { type: 'file' }` yields the path of the embedded file.
declare module 'swagger-ui-dist/swagger-ui-bundle.js' {
  const path: string
  export default path
}
declare module 'swagger-ui-dist/swagger-ui.css' {
  const path: string
  export default path
}
declare module '*.json.gz' {
  const path: string
  export default path
}
