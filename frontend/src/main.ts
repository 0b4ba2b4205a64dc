import { createApp } from 'vue'
import { createPinia } from 'pinia'
import ElementPlus from 'element-plus'
import zhCn from 'element-plus/es/locale/lang/zh-cn'
import 'element-plus/dist/index.css'
import './styles.css'
import App from './App.vue'
import { router } from './router'
import { configureAuth } from './api/http'
import { useAuthStore } from './stores/auth'
import { useNotificationStore } from './stores/notifications'
import { useOrgStore } from './stores/orgs'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
app.use(router)
app.use(ElementPlus, { locale: zhCn })

const auth = useAuthStore()
configureAuth({
  token: () => auth.token,
  onUnauthorized: () => {
    if (!auth.session) return
    auth.logout()
    useOrgStore().reset()
    const current = router.currentRoute.value
    if (current.name !== 'login') void router.replace({ name: 'login', query: { redirect: current.fullPath, expired: '1' } })
  },
})

// One login for every tab of the browser: follow a login, logout or change of user made in another tab.
auth.onOtherTab((change) => {
  const current = router.currentRoute.value
  if (change === 'switch') {
    window.location.assign('/') // another person now: nothing loaded for the previous one stays on screen
  } else if (change === 'logout') {
    useOrgStore().reset()
    useNotificationStore().reset()
    if (!current.meta.public) void router.replace({ name: 'login', query: { redirect: current.fullPath } })
  } else if (current.name === 'login') {
    const redirect = current.query.redirect
    void router.replace(typeof redirect === 'string' && redirect.startsWith('/') ? redirect : '/')
  }
})

app.mount('#app')
