import { render } from 'preact'
import { useEffect } from 'preact/hooks'
import { Changes } from './changes'
import { ModelPage } from './model'
import { Models } from './models'
import { Providers } from './providers'
import { useQuery } from './url'

const TITLES: Record<string, string> = { models: 'Models', model: 'Model', providers: 'Providers', changes: 'Changes' }

function App() {
  const query = useQuery()
  const view = TITLES[query.get('view') ?? ''] ? query.get('view')! : 'models'
  useEffect(() => {
    // the header's links are static HTML: mark the current one (text and aria-current, not colour alone)
    for (const a of document.querySelectorAll<HTMLAnchorElement>('nav a[data-view]')) {
      const current = a.dataset.view === view || (view === 'model' && a.dataset.view === 'models')
      if (current) a.setAttribute('aria-current', 'page')
      else a.removeAttribute('aria-current')
    }
    if (view !== 'model') document.title = `${TITLES[view]} · modelcat`
  }, [view])
  if (view === 'model') return <ModelPage id={query.get('id') ?? ''} />
  if (view === 'providers') return <Providers query={query} />
  if (view === 'changes') return <Changes query={query} />
  return <Models query={query} />
}

const root = document.createElement('div')
document.getElementById('loading')?.remove()
document.getElementById('main')!.append(root)
render(<App />, root)
