"""Writes locale/zh/LC_MESSAGES/messages.po from the table below (edit here, then run)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

ZH = {
    "Venue Code": "场所码",
    "Something is not right": "出现了问题",
    "Error code": "错误代码",
    "Back to the start": "返回首页",
    "Scan the venue code at the door with your phone to check in and verify your health status.":
        "进入场所请用手机扫描门口的场所码，完成登记并核验健康状态。",
    "Signed in as": "当前登录",
    "Sign out": "退出登录",
    "Sign in": "登录",
    "Mobile number": "手机号码",
    "Send code": "获取验证码",
    "Enter the code": "输入验证码",
    "We sent a 6-digit code to": "6位验证码已发送至",
    "Code": "验证码",
    "Password": "密码",
    "Staff accounts confirm the sign-in with a password.": "工作人员账号需再输入密码确认登录。",
    "Continue": "继续",
    "Real-name verification": "实名认证",
    "Enter your name and ID number as on your ID card. They are used only for epidemic control.":
        "请输入与身份证一致的姓名和身份证号码，仅用于疫情防控。",
    "The population registry must hold this account's mobile number for your ID number. If it holds another number, or none, bring your ID card to a community service desk to be verified there.":
        "人口库中登记的该身份证号的手机号须与本账号的手机号一致。如登记的是其他号码或没有登记手机号，请携带身份证到社区服务窗口现场核验办理。",
    "Name": "姓名",
    "ID number": "身份证号码",
    "Confirm": "确认",
    "This venue code is valid.": "该场所码有效。",
    "My venues": "我的场所",
    "Apply for a venue code": "申请场所码",
    "No venues yet.": "暂无场所。",
    "Venue name": "场所名称",
    "Category": "场所类别",
    "District": "所属区县",
    "Address": "地址",
    "Manager name": "负责人姓名",
    "Manager phone": "负责人电话",
    "Capacity (people)": "容纳人数",
    "Sub-areas with their own code, one per line (optional)": "需要单独场所码的区域（如车厢、包厢），每行一个（可选）",
    "Submit application": "提交申请",
    "Status": "状态",
    "Reason": "原因",
    "Venue code poster": "场所码海报",
    "Print poster (PDF, A4)": "打印海报（PDF，A4）",
    "English poster": "英文海报",
    "Sub-areas": "区域",
    "Poster": "海报",
    "Old posters will stop working. Continue?": "旧海报将立即失效，确定继续吗？",
    "Re-issue the code (old posters stop working)": "重新生成场所码（旧海报失效）",
    "The poster can be printed once the district approves the application.":
        "区县审核通过后即可打印场所码海报。",
    "Back to my venues": "返回我的场所",
    "Approve venue codes": "场所码审核",
    "Nothing here.": "暂无内容。",
    "Venue": "场所",
    "Approve": "通过",
    "Reason for rejection": "驳回原因",
    "Reject": "驳回",
    "Revoke": "停用",
    "applied": "待审核",
    "approved": "已通过",
    "rejected": "已驳回",
    "revoked": "已停用",
    "Scanned": "已扫码",
    "Pass": "通行",
    "No entry": "禁止通行",
    "Health code": "健康码",
    "Green": "绿码",
    "Yellow": "黄码",
    "Red": "红码",
    "None": "无",
    "Nucleic-acid test": "核酸检测",
    "Negative": "阴性",
    "Positive": "阳性",
    "Pending": "待出结果",
    "No test": "无记录",
    "Sampled %(h)s h ago": "采样于%(h)s小时前",
    "Valid": "有效",
    "Not valid": "无效",
    "Vaccination": "疫苗接种",
    "%(n)s doses": "已接种%(n)s剂",
    "Last": "末次",
    "Itinerary (14 days)": "行程（14天）",
    "Risk area": "到访风险地区",
    "No risk area": "未到访风险地区",
    "Leave": "离开",
    "My scans": "我的扫码记录",
    "Check in at this venue?": "确认在该场所扫码登记？",
    "Check in": "扫码登记",
    "You have left": "您已离开",
    "Your entries are kept for the retention period and used only for epidemic control.":
        "您的扫码记录仅用于疫情防控，保存期满后自动删除。",
    "Entries today": "今日进场记录",
    "Green (entered)": "绿码（已进场）",
    "Yellow (denied)": "黄码（已拦截）",
    "Red (denied)": "红码（已拦截）",
    "Denied in all": "拦截合计",
    "Names and ID numbers are masked. Refreshes every 10 seconds.": "姓名和身份证号已脱敏显示，每10秒自动刷新。",
    "Time": "时间",
    "Result": "结果",
    "Scan volumes": "扫码量",
    "Entries per hour": "每小时进场人次",
    "Entries": "进场",
    "Denied": "拦截",
    "District scan volumes": "本区扫码量",
    "Today's entries": "今日进场记录",
    "Import data": "数据导入",
    "CSV (UTF-8 or GBK), XLSX or JSON Lines, with the columns of the data interface. Good records are kept; rejected ones are listed with their row number.":
        "支持 CSV（UTF-8 或 GBK）、XLSX 和 JSON Lines，列名须符合数据接口规范。合格记录入库，不合格记录按行号列出原因。",
    "Data kind": "数据类别",
    "Source (department)": "数据来源（部门）",
    "File": "文件",
    "Import": "导入",
    "Read": "读取",
    "New": "新增",
    "Updated": "更新",
    "Unchanged": "未变",
    "Refused": "拒收",
    "Row": "行号",
    "Reasons": "原因",
    "Download all rejected rows (CSV)": "下载全部拒收记录（CSV）",
    "Recent batches": "最近导入批次",
    "All sources": "全部来源",
    "Received": "接收时间",
    # Help-scan (帮扫), paper codes, gate scanner, alerts
    "Help-scan": "帮扫",
    "Help-scan · the warmth of Hangzhou": "帮扫·杭州的温暖",
    "Helped today: %(n)s people": "今日已帮扫 %(n)s 人",
    "Check what was read from the ID card": "请核对从身份证识别出的信息",
    "Confirm and check in": "确认并登记",
    "If anything is wrong, correct it or take the photo again below.": "如有错误，请更正或在下方重新拍照。",
    "Add a person (%(n)s of %(max)s)": "添加被帮扫人（第%(n)s人，最多%(max)s人）",
    "Photo of the ID card": "拍摄身份证（人像面）",
    "Read the ID card": "识别身份证",
    "Citizen card number": "市民卡号",
    "Photo of the health code (paper card)": "拍摄健康码（代办卡）",
    "At most %(max)s people can be helped per scan.": "每次最多帮%(max)s人扫码。",
    "Helped people's details are not kept on your account; this page cannot be opened again later.":
        "被帮扫人的信息不会保存在您的账号中，本页面离开后无法再次打开。",
    "Done": "完成",
    "Paper health code": "健康码代办",
    ("For a person without a phone: apply with their name and ID number and print the card. "
     "Scanning the card shows their current health code colour."):
        "为没有手机的人代办：填写其姓名和身份证号码并打印卡片。扫描卡片即可查看其实时健康码颜色。",
    "The card was revoked. Reissue to print a new one.": "该卡已挂失作废，补办即可打印新卡。",
    "Apply and print (PDF)": "申请并打印（PDF）",
    "Card lost: reissue (PDF)": "卡片遗失：补办（PDF）",
    "Revoke the card": "挂失作废",
    "Applications are recorded under your name.": "代办记录将以您的实名留存。",
    "Current colour, looked up now": "实时健康码颜色",
    "Card issue %(n)s": "第%(n)s版",
    "Help-scan alerts": "帮扫异常提醒",
    "Accounts that helped more than %(n)s different people in one day.": "单日帮扫超过%(n)s个不同人员的账号。",
    "Day": "日期",
    "Account": "账号",
    "People helped": "帮扫人数",
    "No alerts.": "暂无提醒。",
    "Gate scanner": "数字哨兵",
    "Queued offline:": "离线待上传：",
    "Recorded offline; verify by hand": "已离线记录，请人工核验",
    "Not recognised": "无法识别",
    "Who used my data": "谁使用了我的数据",
    "Every time epidemic-control staff look at or act on your personal data, it is recorded here with the reason.":
        "防疫工作人员每次查看或处理您的个人数据，都会连同原因记录在此。",
    "Paper health codes": "健康码代办",
    "Gate scanner mode": "数字哨兵模式",
    # Access log (who used my data): audit/words.py
    "Staff looked up your health status": "工作人员查询了您的健康状态",
    "A tracer displayed your name and phone number": "流调人员查看了您的姓名和电话号码（显示电话）",
    "A contact trace was run whose result includes you": "流调人员开展了一次流调，结果中包含您",
    "Your case record was shown in the tracers' list of cases and traces":
        "流调人员查看了病例和流调列表，其中显示了您的病例信息",
    "A tracer viewed a trace result that lists you": "流调人员查看了列有您的流调结果",
    "A tracer viewed a trace's chain graph that includes you": "流调人员查看了包含您的传播链路图",
    "A trace result that lists you was exported to a file": "列有您的流调结果被导出为文件",
    "A service desk checked your ID card and bound your identity to an account": "服务窗口核验了您的身份证，并将您的身份绑定到账号",
    "Your identity was moved to the account whose phone the population registry holds": "您的身份已转到人口库登记手机号对应的账号",
    "A health-code push after a trace changed your health code": "流调后的健康码推送更改了您的健康码",
    "Your tracing control was lifted": "您的流调管控已解除",
    "You were checked in by help-scan": "有人为您帮扫登记",
    "A paper health code was issued for you": "为您签发了纸质健康码",
    "Your paper health code was revoked": "您的纸质健康码已作废",
    "Your ID card was read for a help-scan": "帮扫时读取了您的身份证信息",
    "A file of rejected import records that includes you was downloaded": "包含您信息的数据导入退回记录被下载",
    "Citizen": "市民",
    "Venue manager": "场所管理员",
    "District administrator": "区级管理员",
    "Tracer": "流调人员",
    "Tracing supervisor": "流调组长",
    "System administrator": "系统管理员",
    "Operator (command line)": "运维人员（命令行）",
    "The system": "系统",
    "Data source": "数据来源部门",
    "Staff": "工作人员",
    # Tracing pages (流调溯源)
    "Contact tracing": "流调溯源",
    "Case": "病例",
    "Close contact": "密接",
    "Secondary contact": "次密接",
    "Tertiary contact": "三级密接",
    "General contact": "一般接触",
    "Waiting for approval": "待审批",
    "Applied": "已推送",
    "Push failed": "推送失败",
    "Association chain graph": "关联链路图",
    "Trace": "流调",
    "From": "起",
    "To": "止",
    "Filter": "筛选",
    "Export PNG": "导出 PNG",
    "Export SVG": "导出 SVG",
    "Group (count)": "聚合（人数）",
    "Click a node to see its evidence.": "点击节点查看其暴露证据。",
    "Chain": "传播链",
    "Cases": "病例",
    "persons": "人",
    "min": "分钟",
    "Source": "传播来源",
    "Exposure (min)": "暴露时长（分钟）",
    "Evidence": "暴露证据",
    "Exposure window": "暴露窗口",
    "Case exposures here": "病例在此场所的暴露时段",
    "Group": "聚合节点",
    "First persons": "部分人员",
    "Open these persons in the list": "在列表中查看这些人员",
    "Other venues": "其他场所",
    "Large trace: contacts are grouped per venue and tier; narrow the filter to see persons.":
        "流调规模较大：人员已按场所和类别聚合，缩小筛选范围可查看具体人员。",
    "venues folded into one node": "个场所合并显示",
    "nodes": "个节点",
    "links": "条关联",
    "Loading…": "加载中…",
    "Nothing matches the filter.": "没有符合筛选条件的结果。",
    "New trace": "新建流调",
    "Health-code pushes waiting for approval": "待审批的健康码推送",
    "Requested": "申请时间",
    "Recent traces": "最近的流调",
    "Run at": "执行时间",
    "Persons at risk": "风险人员",
    "Exposed venues": "涉疫场所",
    "No traces yet.": "暂无流调记录。",
    "Case registry": "病例库",
    "Search": "搜索",
    "Onset or first positive sample": "发病或首次阳性采样时间",
    "Isolated": "隔离时间",
    "Kind": "类型",
    "No cases in the registry.": "病例库中暂无病例。",
    "Trace the selected cases": "对所选病例开展流调",
    "Cases (ID numbers, one per line; several cases trace an outbreak)": "病例（身份证号码，每行一个；多个病例即按疫情聚集开展流调）",
    "As of (empty: now)": "截止时间（留空为当前时间）",
    "Look-back (days before onset)": "回溯天数（发病前）",
    "Close contact threshold (minutes)": "密接判定时长（分钟）",
    "Chain depth (2 = secondary contacts)": "追踪层级（2 = 追到次密接）",
    "stays overridden (minutes): %(s)s": "停留时长按类别调整（分钟）：%(s)s",
    "Stay per venue category in minutes, e.g. metro=10, office=240 (empty: the category table)":
        "按场所类别设置停留时长（分钟），如 metro=10, office=240（留空：使用类别默认值）",
    "Reason (required, kept in the audit log)": "流调事由（必填，记入审计日志）",
    "Run the trace": "开始流调",
    "Back to tracing": "返回流调溯源",
    "As of": "截止时间",
    "Rules": "规则",
    "look-back %(d)s days, close contact from %(m)s minutes, depth %(n)s":
        "回溯 %(d)s 天，同场所共处 %(m)s 分钟及以上判定为密接，追踪 %(n)s 层",
    "Export CSV": "导出 CSV",
    "Export XLSX": "导出 XLSX",
    "All persons at risk": "全部风险人员",
    "Tier": "类别",
    "All": "全部",
    "Search ID number": "搜索身份证号码",
    "%(n)s matching, page %(p)s of %(pages)s": "共 %(n)s 人，第 %(p)s / %(pages)s 页",
    "Phone": "电话",
    "Show phone": "显示电话",
    "Nobody matches.": "没有符合条件的人员。",
    "Previous": "上一页",
    "Next": "下一页",
    "Each phone number shown is recorded in the audit log with this trace.": "每次显示电话号码都会连同本次流调记入审计日志。",
    "Minutes": "分钟",
    "%(n)s more venues: see the export.": "另有 %(n)s 个场所，请查看导出文件。",
    "Health-code push": "健康码推送",
    "Close, secondary and deeper contacts get a red code, general contacts a yellow code, and every scan is denied with instructions. A second supervisor must approve.":
        "密接、次密接及更深层级人员赋红码，一般接触人员赋黄码，其扫码进入任何场所都将被拒绝并收到处置提示。须由另一位流调组长审批。",
    "requested": "申请于",
    "red %(r)s, yellow %(y)s": "红码 %(r)s 人，黄码 %(y)s 人",
    "You requested this push or ran this trace: another supervisor must approve or reject it.":
        "您是该推送的申请人或本次流调的执行人：须由另一位流调组长审批或驳回（双人复核）。",
    "Approve and push": "批准并推送",
    "Note": "备注",
    "Request health-code push": "申请推送健康码",
    # Rejecting a push and lifting control (驳回推送、解除管控)
    "Rejected": "已驳回",
    "decided": "处理于",
    "Another supervisor decides (four eyes).": "须由另一位流调组长处理（双人复核）。",
    "Open a trace to approve its push; a push can also be rejected here with a reason.":
        "打开流调记录后可批准推送；也可在此填写原因直接驳回。",
    "Control": "管控状态",
    "Under control": "管控中",
    "Lifted": "已解除",
    "Lift control": "解除管控",
    "Reason for lifting": "解除原因",
    "After quarantine and tests: scans are no longer denied for this trace, and a code this trace turned red or yellow goes back to green unless another department has changed it since.":
        "人员完成隔离和核酸检测后解除管控：扫码不再因本次流调被拒绝；由本次流调赋的红码、黄码恢复为绿码（如其他部门此后已调整过健康码，则保持不变）。",
    "Lift the tracing marks of every person of this trace?": "确定解除本次流调全部人员的管控吗？",
    "Lift control of all persons of this trace": "解除本次流调全部人员管控",
    "No open tracing mark of this trace was found: nothing was changed.":
        "未找到本次流调尚在管控中的人员，未作任何更改。",
    "Control lifted for %(n)s persons.": "已解除 %(n)s 人的管控。",
    "The health-code platform updates their codes.": "其健康码由健康码平台更新。",
    "%(n)s health codes set by tracing are green again.": "%(n)s 人由流调赋的健康码已恢复为绿码。",
    "%(n)s of them are still marked by another trace, so their codes stay as they are.":
        "其中 %(n)s 人仍被其他流调管控，健康码保持不变。",
    # Import batch statuses (导入批次状态)
    "Running": "导入中",
    "Finished": "已完成",
    "Failed": "失败",
    "Interrupted": "已中断（请重新导入该文件）",
    # Feedback: flash messages, confirmations, busy states; help-scan clover (feedback branch)
    "%(name)s is checked in.":
        "%(name)s 已登记。",
    "A new code was sent.":
        "新的验证码已发送。",
    "A new venue code is issued; print the new poster.":
        "已换发新的场所码，请打印新的海报。",
    "Application sent. A district administrator will review it.":
        "申请已提交，等待区管理员审核。",
    "Approve and push? The health codes of the persons at risk in this trace change now, and each of them sees it in their access log.":
        "确定批准并推送吗？本次流调中风险人员的健康码将立即变更，每个人都能在自己的数据使用记录中看到。",
    "Cancel":
        "取消",
    "Checking…":
        "正在核验…",
    "Choose how to identify the person you are helping.":
        "请选择一种方式识别您要帮助的人。",
    "Citizen card: enter the number":
        "市民卡输入卡号",
    "Exporting…":
        "正在导出…",
    "Health code by proxy":
        "健康码代办",
    "Health code: scan the health code":
        "健康码扫描健康码",
    "Help-scan finished: %(n)s people.":
        "帮扫完成，共 %(n)s 人。",
    "Helped people's details are not kept on your account; after Done this list cannot be opened again.":
        "被帮扫人的信息不会保存在您的账号中；点击“完成”后，此列表无法再次打开。",
    "ID card OCR":
        "身份证OCR识别",
    "Importing…":
        "正在导入…",
    "Lift control of this person? Their scans are no longer denied for this trace.":
        "确定解除此人的管控吗？此后其扫码不再因本次流调被拒绝。",
    "Lifting…":
        "正在解除…",
    "Making the card…":
        "正在生成卡片…",
    "No health code? Apply for a printable paper code for this person":
        "没有健康码？为此人申领可打印的纸质健康码",
    "Photograph the ID card":
        "拍摄身份证",
    "Photograph the paper health code":
        "拍摄纸质健康码",
    "Pushing…":
        "正在推送…",
    "Reading takes a few seconds; you check the result before anyone is checked in.":
        "识别需要几秒钟；登记前您会先核对识别结果。",
    "Reading the ID card…":
        "正在识别…",
    "Reading the health code…":
        "正在识别健康码…",
    "Reissue":
        "补办",
    "Reissue the card? The old printed card stops working at once.":
        "确定补办吗？原来打印的卡将立即失效。",
    "Request":
        "申请",
    "Request a health-code push? Once another supervisor approves it, the health codes of the persons at risk in this trace change.":
        "确定申请健康码推送吗？另一位主管批准后，本次流调中风险人员的健康码将变更。",
    "Revoke this paper code? The printed card stops working at once; reissue to print a new one.":
        "确定作废这张纸质健康码吗？打印的卡将立即失效；补办可打印新卡。",
    "Revoke this venue? Its code stops checking anyone in at once, and its manager sees the reason.":
        "确定撤销该场所吗？其场所码将立即停止登记，场所管理员会看到撤销原因。",
    "The application is rejected; the applicant sees the reason.":
        "申请已驳回，申请人会看到驳回原因。",
    "The health-code push is requested; a supervisor must approve it.":
        "健康码推送已申请，需由主管批准。",
    "The push is approved: the health codes are changed.":
        "推送已批准，健康码已变更。",
    "The push is rejected; no health code was changed.":
        "推送已驳回，健康码未作变更。",
    "The trace is done.":
        "流调已完成。",
    "The tracing marks are lifted.":
        "流调管控已解除。",
    "The venue is approved; its code works now.":
        "场所已通过审核，场所码现已生效。",
    "The venue is revoked; its code no longer checks anyone in.":
        "场所已撤销，其场所码不再登记任何人。",
    "Tracing…":
        "正在流调…",
    "Type the card number":
        "输入卡号",
    "Type the name and ID number":
        "输入姓名和身份证号",
    "You are signed in.":
        "已登录。",
    "You are signed out.":
        "已退出登录。",
    "Your real name is verified.":
        "实名认证成功。",
    # Citizen pages: history, access log, identity, sign-in code (feedback branch)
    "%(n)s entries in all":
        "共 %(n)s 条记录",
    "A code was sent to this number less than a minute ago and still works. You can ask for a new one in %(n)s seconds.":
        "一分钟内已向该号码发送过验证码，仍可使用。%(n)s 秒后可重新获取。",
    "Entered":
        "已进入",
    "Left at %(time)s":
        "%(time)s 离开",
    "New code in %(n)s s":
        "%(n)s 秒后可重新发送",
    "No entries yet.":
        "还没有扫码记录。",
    "No exit recorded":
        "未登记离开",
    "Nobody has used your data.":
        "还没有人使用过您的数据。",
    "Not let in":
        "未能进入",
    "Pages":
        "分页",
    "Reason:":
        "原因：",
    "Send a new code":
        "重新发送验证码",
    "To change it, bring your ID card to a community service desk.":
        "如需更改，请携带身份证到社区服务窗口办理。",
    "Use another number":
        "换一个手机号",
    "Verify your real name to scan venue codes; your entries will be listed here.":
        "完成实名认证后即可扫场所码，扫码记录将显示在这里。",
    "Why:":
        "原因：",
    "Confirmed or asymptomatic case":
        "确诊病例或无症状感染者",
    "Positive test":
        "核酸阳性",
    "Red health code":
        "红码",
    "Contact of a close contact":
        "密接的密接",
    "Was in a high-risk area":
        "到过高风险地区",
    "Yellow health code":
        "黄码",
    "Met a contact of a close contact":
        "与密接的密接有接触",
    "Was in a medium-risk area":
        "到过中风险地区",
    "No health code found":
        "未查到健康码",
    "Test result not out yet":
        "核酸结果未出",
    "Test too old for this venue":
        "核酸超过本场所时限",
    "No negative test found":
        "未查到阴性核酸",
    "Not enough vaccine doses":
        "疫苗接种剂次不足",
    "Test expires soon":
        "核酸即将超时",
    "A test record with a time in the future":
        "核酸记录时间有误",
    "Other reason":
        "其他原因",
    "Checked in by help-scan":
        "他人帮扫登记",
    "Checked in at the venue's gate":
        "场所哨兵登记",
    "The health code this trace had set is green again.":
        "由这次流调赋予的健康码已恢复为绿码。",
}


def main() -> None:
    catalog = Catalog(locale="zh", project="venuecode")
    for msgid, text in ZH.items():
        catalog.add(msgid, text)
    path = Path(str(resources.files("venuecode.web"))) / "locale/zh/LC_MESSAGES/messages.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False)


if __name__ == "__main__":
    main()
